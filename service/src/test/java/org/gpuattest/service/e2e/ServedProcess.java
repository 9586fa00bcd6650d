package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * 'validator serve' as a process ({@code ServiceMain} on the test class path), as systemd runs
 * it, with its stderr read as it comes. Its files are kept in {@code dir}: the archive, the
 * replay store and the home folder; the database is the one named.
 */
final class ServedProcess implements AutoCloseable {
  final Process process;
  private final List<String> err = new ArrayList<>();

  private ServedProcess(Process p) {
    this.process = p;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (err) {
            err.add(line);
          }
        }
      } catch (java.io.IOException e) {
        // ended
      }
    });
    t.setDaemon(true);
    t.start();
  }

  static ServedProcess start(Path dir, Path fleet, String db, String instance,
      String... extra) throws Exception {
    return start(List.of(), dir, fleet, db, instance, extra);
  }

  /**
   * As {@link #start}, the service leading a process group of its own (setsid), as a shell
   * runs a job: {@link #signalGroup} then signals it and whatever it started in its group, as
   * Ctrl-C or timeout(1) would.
   */
  static ServedProcess startAsJob(Path dir, Path fleet, String db, String instance,
      String... extra) throws Exception {
    return start(List.of("setsid"), dir, fleet, db, instance, extra);
  }

  private static ServedProcess start(List<String> prefix, Path dir, Path fleet, String db,
      String instance, String... extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(java, "-Dgpuattest.test=" + dir, "-cp",
        System.getProperty("java.class.path"), "org.gpuattest.service.cli.ServiceMain",
        "serve", "--fleet", fleet.toString(), "--db", db,
        "--archive", dir.resolve("archive").toString(), "--replay-dir",
        dir.resolve("replay").toString(), "--listen", "127.0.0.1:0", "--instance", instance,
        "--retry-seconds", "1"));
    // A short stop by default; a test may give its own.
    if (!List.of(extra).contains("--stop-timeout")) {
      cmd.addAll(List.of("--stop-timeout", "2"));
    }
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("GPU_ATTEST_HOME", dir.resolve("home").toString());
    return new ServedProcess(pb.start());
  }

  String err() {
    synchronized (err) {
      return String.join("\n", err);
    }
  }

  /** Polls until {@code done} holds; fails with the service's stderr after the no-hang bound. */
  void await(String what, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + ServiceFixture.NO_HANG.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new AssertionError("never: " + what + "\n" + err());
      }
      Thread.sleep(200);
    }
  }

  void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .inheritIO().start();
    assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, kill.exitValue());
  }

  /** Signals the process group the service leads ({@link #startAsJob}). */
  void signalGroup(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, "--", "-" + process.pid())
        .inheritIO().start();
    assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, kill.exitValue());
  }

  /** SIGTERM, then waits for exit 0. */
  void stop() throws Exception {
    signal("TERM");
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), err());
    assertEquals(0, process.exitValue(), err());
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
