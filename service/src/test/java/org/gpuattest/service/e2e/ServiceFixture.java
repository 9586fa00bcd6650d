package org.gpuattest.service.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.service.Service;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.archive.EvidenceArchive;

/**
 * A service under test in a folder of its own: the real CPU prover (the attestor, run as a
 * process from the test class path through a script, as a GPU host's bin/attestor), fleet
 * files of small challenges (n = 64, T = 2, --allow-cpu), and the service's files.
 */
final class ServiceFixture {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  /** No test waits longer than this for what it counts: it proves "no hang", not a speed. */
  static final Duration NO_HANG = Duration.ofSeconds(150);

  final Path dir;
  final Path attestor;
  final Path fleetFile;
  final StringWriter logText = new StringWriter();
  final PrintWriter log = new PrintWriter(new SyncWriter(logText), true);

  ServiceFixture(Path dir) throws Exception {
    this.dir = dir;
    this.fleetFile = dir.resolve("fleet.json");
    // The folder's name in every process this test starts finds its leftovers.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    attestor = dir.resolve("attestor.sh");
    Files.writeString(attestor, "#!/bin/sh\nGPU_ATTEST_HOME=" + sq(dir.resolve("prover-home"))
        + " exec " + sq(java) + " -XX:TieredStopAtLevel=1 -Xshare:auto -Dgpuattest.test="
        + sq(dir) + " -cp " + sq(System.getProperty("java.class.path"))
        + " org.gpuattest.attestor.cli.AttestorCli \"$@\"\n");
    if (!attestor.toFile().setExecutable(true)) {
      throw new IllegalStateException("cannot make " + attestor + " executable");
    }
  }

  /** An honest CPU prover. */
  String honest() {
    return sq(attestor.toString());
  }

  /** A prover signing with a key of its own; pin another and it fails signature.prover. */
  String signingWith(Path key) {
    return sq(attestor.toString()) + " --signing-key " + sq(key.toString());
  }

  /**
   * A host that never answers: cat opening a FIFO nobody writes, which blocks until it is
   * stopped; its command line names this folder, so a leftover would be found. The words the
   * shell appends are a comment.
   */
  String hanging() throws Exception {
    return "cat " + sq(never()) + " #";
  }

  /** The FIFO {@link #hanging} reads, made on first use. */
  Path never() throws Exception {
    Path fifo = dir.resolve("never");
    if (!Files.exists(fifo)) {
      Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
      if (mk.waitFor() != 0) {
        throw new IllegalStateException("mkfifo " + fifo + " failed");
      }
    }
    return fifo;
  }

  /** A new key file (PEM) and its public half beside it (name.pub.pem). */
  Path key(String name) throws Exception {
    Ed25519PrivateKey k = Ed25519PrivateKey.generate(new SecureRandom());
    Path file = dir.resolve(name + ".pem");
    Files.writeString(file, k.toPem());
    Files.writeString(dir.resolve(name + ".pub.pem"), k.publicKey().toPem());
    return file;
  }

  /** A fleet entry: 1 GPU, n = 64, T = 2, --allow-cpu; {@code extra} adds fields. */
  static String entry(String name, String prover, int intervalSeconds, String extra) {
    return "{\"name\": \"" + name + "\", \"prover\": " + jsonString(prover) + ", \"gpus\": 1,"
        + " \"model\": \"" + MODEL + "\", \"dim\": 64, \"iterations\": 2, \"allowCpu\": true,"
        + " \"intervalSeconds\": " + intervalSeconds + extra + "}";
  }

  void writeFleet(String... entries) throws Exception {
    Files.writeString(fleetFile, "{\"version\": 1, \"providers\": [" + String.join(", ", entries)
        + "]}");
  }

  Service.Config config(String dbUrl, String instance, int concurrency, Duration stop,
      InetSocketAddress listen) {
    return new Service.Config(fleetFile, dbUrl, null, listen, null,
        new EvidenceArchive(dir.resolve("archive")), new ReplayStore(dir.resolve("replay")),
        null, GpuProfiles.bundled(), instance, concurrency, 1, Duration.ofSeconds(30),
        Duration.ofSeconds(1), Duration.ofMillis(200), stop);
  }

  Service start(Service.Config config) throws Exception {
    return Service.start(config, Clock.systemUTC(), new SecureRandom(), log);
  }

  /** Polls until {@code done} holds, failing with {@code what} after {@link #NO_HANG}. */
  void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + NO_HANG.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never: " + what + "\nservice log:\n" + logText);
      }
      Thread.sleep(200);
    }
  }

  /** Processes whose command line names this folder, alive after a grace period. */
  List<String> leftovers() throws InterruptedException {
    String mark = dir.toString();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      List<String> alive = new ArrayList<>();
      ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid())
          .filter(p -> p.info().commandLine().map(c -> c.contains(mark)).orElse(false))
          .filter(ProcessHandle::isAlive)
          .forEach(p -> alive.add(p.pid() + " " + p.info().commandLine().orElse("?")));
      if (alive.isEmpty() || System.nanoTime() > deadline) {
        return alive;
      }
      Thread.sleep(200);
    }
  }

  String log() {
    synchronized (logText) {
      return logText.toString();
    }
  }

  static String sq(Object s) {
    return "'" + s.toString().replace("'", "'\\''") + "'";
  }

  static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A writer whose appends are atomic, for a log written by many threads. */
  private static final class SyncWriter extends Writer {
    private final StringWriter to;

    SyncWriter(StringWriter to) {
      this.to = to;
    }

    @Override
    public void write(char[] b, int off, int len) {
      synchronized (to) {
        to.write(b, off, len);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
