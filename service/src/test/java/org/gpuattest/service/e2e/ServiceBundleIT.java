package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gpuattest.common.json.Json;
import org.gpuattest.attestor.e2e.BundleRuns;
import org.gpuattest.attestor.e2e.BundleRuns.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service add-on as a user gets it (docs/service.md, "From the bundle"): scripts/bundle.sh
 * --service run on the jars this build just packaged (--no-build; surefire's integration-test
 * execution runs this after 'package', when validator-service.jar exists), the bundle unpacked
 * and the add-on unpacked over it, with no Java but the bundle's own (a failing 'java' leads
 * PATH). 'bin/validator serve' then checks the demo fleet, and attests a CPU prover that is the
 * bundle's own bin/attestor until its verdict passes, and stops on SIGTERM with exit 0 and no
 * prover left. The bundle alone (attestor's BundleScriptIT checks its refusal of 'serve') must
 * name the very file the add-on adds.
 */
class ServiceBundleIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path JDK = Path.of(System.getProperty("java.home"));
  private static final String VERSION = System.getProperty("project.version");
  private static final String NAME = "gpu-attest-" + VERSION;
  /** Bounds on a process, generous for a loaded 2-core machine; never a measurement. */
  private static final Duration NO_HANG = Duration.ofSeconds(120);

  @TempDir static Path tmp;
  private static Path tarball;
  private static Path addOn;
  /** The bundle with the add-on unpacked over it. */
  private static Path bundle;
  private static Path fakeJavaBin;

  @BeforeAll
  static void buildAndUnpack() throws Exception {
    assumeTrue(Files.isExecutable(JDK.resolve("bin/jlink")),
        "no jlink in " + JDK + " (a JRE, not a JDK): the bundle cannot be built here");
    assertNotNull(VERSION, "surefire passes project.version");
    Path out = tmp.resolve("out");
    Result r = run(Map.of("JAVA_HOME", JDK.toString()), 300, "bash",
        REPO.resolve("scripts/bundle.sh").toString(), "--no-build", "--service",
        "--out", out.toString());
    assertEquals(0, r.code(), "bundle.sh failed:\n" + r.err());
    tarball = out.resolve(NAME + "-linux-x86_64.tar.gz");
    addOn = out.resolve("gpu-attest-service-" + VERSION + "-linux-x86_64.tar.gz");
    assertEquals(tarball + "\n" + addOn, r.out().strip(), "stdout names the two tarballs alone");
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(Stream.of(addOn + ".sha256", addOn.toString(), tarball + ".sha256",
          tarball.toString()).sorted().toList(), files.map(Path::toString).sorted().toList(),
          "the tarballs and their checksums, no temporary folder left behind");
    }
    assertEquals(0, run(Map.of(), 60, "sh", "-c", "cd \"$0\" && sha256sum -c --quiet *.sha256",
        out.toString()).code(), "the checksums, checked in their folder");
    Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
    assertEquals(0, run(Map.of(), 60, "tar", "-C", unpacked.toString(), "-xzf",
        tarball.toString()).code());
    assertEquals(0, run(Map.of(), 60, "tar", "-C", unpacked.toString(), "-xzf",
        addOn.toString()).code());
    bundle = unpacked.resolve(NAME).toRealPath();
    fakeJavaBin = BundleRuns.fakeJavaBin(tmp.resolve("fake-java"));
  }

  @Test
  void addOn_holdsTheServiceJarAlone_theFileTheBundleAloneAsksFor() throws Exception {
    Result list = run(Map.of(), 60, "tar", "-tzf", addOn.toString());
    assertEquals(0, list.code(), list.err());
    assertEquals(List.of(NAME + "/lib/validator-service.jar"),
        list.out().lines().filter(e -> !e.endsWith("/")).toList(), list.out());
    assertTrue(Files.isRegularFile(bundle.resolve("lib/validator-service.jar")));
    // The bundle unpacked again, alone: its refusal names the add-on by this file's name and
    // the jar by the path the add-on puts it at.
    Path alone = Files.createDirectories(tmp.resolve("bundle-alone"));
    assertEquals(0, run(Map.of(), 60, "tar", "-C", alone.toString(), "-xzf",
        tarball.toString()).code());
    Path home = alone.resolve(NAME).toRealPath();
    Result r = runIn(home, "bin/validator", "serve", "--check", "--fleet", demoFleet());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().lines().count() == 1
        && r.err().contains(" unpack " + addOn.getFileName().toString()
            .replace(VERSION, "<version>") + " ")
        && r.err().contains(" adds " + home.resolve("lib/validator-service.jar") + " "), r.err());
  }

  @Test
  void serveCheck_demoFleet_exit0() throws Exception {
    Result r = runIn(bundle, "bin/validator", "serve", "--check", "--fleet", demoFleet());
    assertEquals(0, r.code(), r.out() + r.err());
    assertEquals(demoFleet() + ": 2 providers, every entry good\n", r.out());
    assertFalse(r.err().contains(BundleRuns.FAKE_JAVA_SAYS), r.err());
  }

  @Test
  void serve_bundledCpuProver_passes_thenSigtermDuringAnAttestation_exit0_noProverLeft()
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("serve"));
    Path fleet = Files.writeString(dir.resolve("fleet.json"), """
        {"version": 1, "providers": [{"name": "bundled-cpu",
          "prover": "'%s' --backend cpu", "gpus": 1, "model": "NVIDIA H100 80GB HBM3",
          "dim": 64, "iterations": 2, "allowCpu": true, "intervalSeconds": 30}]}
        """.formatted(bundle.resolve("bin/attestor")));
    Path err = dir.resolve("stderr.txt");
    // The defaults a user gets: the database, archive and replay store under GPU_ATTEST_HOME.
    ProcessBuilder pb = new ProcessBuilder(bundle.resolve("bin/validator").toString(), "serve",
        "--fleet", fleet.toString(), "--listen", "127.0.0.1:0", "--stop-timeout", "10")
        .directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File(
            "/dev/null"))).redirectOutput(dir.resolve("stdout.txt").toFile())
        .redirectError(err.toFile());
    environment(pb, dir.resolve("home"));
    Process serve = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI api = URI.create("http://127.0.0.1:" + port(serve, err) + "/api/v1/providers/");
      // The first attestation is due within a tenth of the 30 s interval.
      JsonNode p = await(serve, err, "the first attestation passed", () -> {
        JsonNode node = get(http, api.resolve("/api/v1/providers")).path("providers").path(0);
        return "passed".equals(node.path("last").path("state").asText()) ? node : null;
      });
      assertEquals("bundled-cpu", p.path("name").asText(), p.toString());
      assertTrue(p.path("last").path("archived").asBoolean(), p.toString());
      assertTrue(Files.isRegularFile(dir.resolve("home/validator/service.db")));
      // Another, at once: SIGTERM comes while its prover (bin/attestor's JVM) runs.
      HttpResponse<String> queued = http.send(HttpRequest.newBuilder(
          api.resolve("bundled-cpu/attest")).POST(HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(202, queued.statusCode(), queued.body());
      List<ProcessHandle> provers = await(serve, err, "the second attestation's prover",
          () -> {
            List<ProcessHandle> d = serve.descendants().filter(h -> h.info().commandLine()
                .map(c -> c.contains(bundle.resolve("lib/attestor.jar").toString()))
                .orElse(false)).toList();
            return d.isEmpty() ? null : d;
          });
      // Process.destroy is SIGTERM on Linux; the launcher exec'd the JVM, so it gets it.
      serve.destroy();
      assertTrue(serve.waitFor(NO_HANG.toSeconds(), TimeUnit.SECONDS),
          "still running after SIGTERM:\n" + Files.readString(err));
      String log = Files.readString(err);
      assertEquals(0, serve.exitValue(), log);
      assertTrue(log.contains("validator serve: stopped"), log);
      assertFalse(log.contains(BundleRuns.FAKE_JAVA_SAYS), log);
      // The provers (those seen at SIGTERM among them) gone, a moment allowed for reaping.
      assertEquals(List.of(), leftovers(), "still running after the service, of the bundle's"
          + " (provers at SIGTERM: " + provers.stream().map(ProcessHandle::pid).toList() + ")");
    } finally {
      // Whatever failed, nothing of this test's is left: a JVM the launcher did not exec
      // would outlive it, as would a prover.
      serve.destroyForcibly();
      bundleProcesses().forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** The demo fleet in place: nothing in it is a path relative to its folder. */
  private static String demoFleet() {
    return REPO.resolve("testdata/examples/service/demo-fleet.json").toString();
  }

  /** The port the service says it listens on (it was given port 0). */
  private static int port(Process serve, Path err) throws Exception {
    Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    String port = await(serve, err, "listening", () -> {
      Matcher m = listening.matcher(Files.readString(err));
      return m.find() ? m.group(1) : null;
    });
    return Integer.parseInt(port);
  }

  private static JsonNode get(HttpClient http, URI uri) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    return Json.read("answer", r.body(), JsonNode.class);
  }

  private interface Poll<T> {
    /** The awaited value, or null for not yet. */
    T get() throws Exception;
  }

  /** Polls until {@code poll} gives a value; fails with the service's stderr after NO_HANG. */
  private static <T> T await(Process serve, Path err, String what, Poll<T> poll)
      throws Exception {
    long deadline = System.nanoTime() + NO_HANG.toNanos();
    while (true) {
      T value = poll.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline || !serve.isAlive()) {
        throw new AssertionError("never: " + what + "\n" + Files.readString(err));
      }
      Thread.sleep(50);
    }
  }

  /** The live processes whose command line names the bundle (this test's folder). */
  private static Stream<ProcessHandle> bundleProcesses() {
    return ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid())
        .filter(p -> p.info().commandLine().map(c -> c.contains(bundle.toString()))
            .orElse(false))
        .filter(ProcessHandle::isAlive);
  }

  /** {@link #bundleProcesses}, after a grace for the last to be reaped. */
  private static List<String> leftovers() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<String> alive = bundleProcesses()
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
      if (alive.isEmpty() || System.nanoTime() > deadline) {
        return alive;
      }
      Thread.sleep(200);
    }
  }

  /** Runs a file of the bundle at {@code home}, as {@link #environment} sets up. */
  private static Result runIn(Path home, String file, String... args) throws Exception {
    return BundleRuns.runIn(tmp, fakeJavaBin, home, (int) NO_HANG.toSeconds(), Map.of(), file,
        args);
  }

  /** PATH led by the failing java, no JAVA_HOME, and the tools' files under {@code home}. */
  private static void environment(ProcessBuilder pb, Path home) {
    pb.environment().remove("JAVA_HOME");
    pb.environment().put("PATH", fakeJavaBin + ":" + System.getenv("PATH"));
    pb.environment().put("GPU_ATTEST_HOME", home.toString());
  }

  private static Result run(Map<String, String> env, int seconds, String... cmd)
      throws Exception {
    return BundleRuns.run(tmp, env, seconds, cmd);
  }
}
