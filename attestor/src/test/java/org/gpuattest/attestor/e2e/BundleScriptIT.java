package org.gpuattest.attestor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gpuattest.attestor.e2e.BundleRuns.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scripts/bundle.sh, run the way a user runs it but on the jars this build just packaged
 * (--no-build; surefire's integration-test execution runs this after 'package'), and the bundle
 * it makes, unpacked and used with no Java but its own. Its runtime is the newest JDK's here,
 * whichever JDK runs the build. Also scripts/gpu-check.sh from that bundle where there is no
 * GPU: it must fail at once, with its report written. The launchers' class-data archives are
 * checked for use, not for speed: the bundle is unpacked elsewhere than where it was made, and
 * the JVM must map the tools' own classes from them; with an archive missing, broken or stale
 * the launchers must work as before, and say nothing about it.
 */
class BundleScriptIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path JDK = Path.of(System.getProperty("java.home"));
  private static final String VERSION = System.getProperty("project.version");
  /** What the JVM prints on stderr as it starts with the Vector API module, as it must. */
  private static final String INCUBATOR_NOTE =
      "WARNING: Using incubator modules: jdk.incubator.vector\n";

  @TempDir static Path tmp;
  private static Path tarball;
  private static Path bundle;
  /** PATH whose first 'java' fails loudly: the launchers must not use it. */
  private static Path fakeJavaBin;

  @BeforeAll
  static void buildAndUnpack() throws Exception {
    assumeTrue(Files.isExecutable(JDK.resolve("bin/jlink")),
        "no jlink in " + JDK + " (a JRE, not a JDK): the bundle cannot be built here");
    assertNotNull(VERSION, "surefire passes project.version");
    Result r = run(Map.of("JAVA_HOME", JDK.toString()), 180,
        "bash", REPO.resolve("scripts/bundle.sh").toString(), "--no-build",
        "--out", tmp.resolve("out").toString());
    assertEquals(0, r.code(), "bundle.sh failed:\n" + r.err());
    tarball = tmp.resolve("out/gpu-attest-" + VERSION + "-linux-x86_64.tar.gz");
    assertEquals(tarball.toString(), r.out().strip(), "stdout names the tarball alone");
    assertEquals(List.of(".sha256", ".tar.gz"), suffixes(tmp.resolve("out")),
        "only the tarball and its checksum, no temporary folder left behind");
    Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
    assertEquals(0, run(Map.of(), 60, "tar", "-C", unpacked.toString(), "-xzf",
        tarball.toString()).code());
    bundle = unpacked.resolve("gpu-attest-" + VERSION);
    fakeJavaBin = BundleRuns.fakeJavaBin(tmp.resolve("fake-java"));
  }

  @Test
  void tarball_isWellUnder64MiB() throws IOException {
    long size = Files.size(tarball);
    assertTrue(size < 64L << 20, "tarball is " + size + " bytes");
  }

  @Test
  void bundle_hasItsLayout_andSlimAttestorJar() throws IOException {
    for (String exe : List.of("bin/attestor", "bin/validator", "runtime/bin/java",
        "scripts/gpu-check.sh")) {
      assertTrue(Files.isExecutable(bundle.resolve(exe)), exe);
    }
    for (String file : List.of("lib/attestor.jar", "lib/validator.jar", "lib/attestor.jsa",
        "lib/validator.jsa", "README.txt", "ptx/README.md", "runtime/release")) {
      assertTrue(Files.isRegularFile(bundle.resolve(file)), file);
    }
    // The launchers add the Vector API module: a runtime without it would not start.
    String modules = Files.readAllLines(bundle.resolve("runtime/release")).stream()
        .filter(l -> l.startsWith("MODULES=")).findFirst().orElse("");
    assertTrue(List.of(modules.replaceAll("^MODULES=\"|\"$", "").split(" "))
        .contains("jdk.incubator.vector"), modules);
    assertTrue(Files.readString(bundle.resolve("README.txt")).startsWith(
        "gpu-attest " + VERSION + " for linux-x86_64"));
    try (JarFile jar = new JarFile(bundle.resolve("lib/attestor.jar").toFile())) {
      // JCuda's System.load: without it JDK 24+ warns on every run (JDK 17 ignores it).
      assertEquals("ALL-UNNAMED", jar.getManifest().getMainAttributes()
          .getValue("Enable-Native-Access"));
      assertNotNull(jar.getEntry("lib/libJCudaDriver-12.6.0-linux-x86_64.so"));
      assertNotNull(jar.getEntry("lib/libJCublas2-12.6.0-linux-x86_64.so"));
      assertNull(jar.getEntry("lib/libJNvPTXCompiler-12.6.0-linux-x86_64.so"),
          "the shade filter drops the PTX compiler");
      assertNull(jar.getEntry("lib/libJNvrtc-12.6.0-linux-x86_64.so"));
    }
  }

  @Test
  void readme_namesOnlyPathsInTheBundle() throws IOException {
    // A reader on a GPU host has the bundle and nothing else: every path README.txt names
    // (a word with a slash: bin/attestor, runtime/, docs/cli.md) must be in it as unpacked.
    List<String> named = namedPaths(Files.readString(bundle.resolve("README.txt")));
    List<String> missing = named.stream()
        .filter(p -> !Files.exists(bundle.resolve(p))).distinct().toList();
    assertEquals(List.of(), missing, "README.txt names what the bundle lacks");
    assertTrue(named.containsAll(List.of("docs/operators.md", "docs/cli.md",
        "scripts/gpu-check.sh", "bin/validator")), "README.txt names " + named);
  }

  /** The relative paths a text names: its words with a slash, less a sentence's full stop. */
  private static List<String> namedPaths(String text) {
    Matcher m = Pattern.compile("(?<![\\w./-])[\\w.-]+/[\\w./-]*").matcher(text);
    List<String> paths = new ArrayList<>();
    while (m.find()) {
      paths.add(m.group().replaceAll("\\.+$", ""));
    }
    return paths;
  }

  @Test
  void runtime_isTheNewestJdksHere() throws IOException {
    List<Path> jdks = new ArrayList<>(List.of(JDK));
    if (Files.isDirectory(Path.of("/usr/lib/jvm"))) {
      try (Stream<Path> all = Files.list(Path.of("/usr/lib/jvm"))) {
        all.filter(d -> Files.isExecutable(d.resolve("bin/jlink"))).forEach(jdks::add);
      }
    }
    int newest = jdks.stream().mapToInt(CdsArchivesScriptIT::feature).max().orElseThrow();
    assertEquals(newest, CdsArchivesScriptIT.feature(bundle.resolve("runtime")),
        "the bundle's runtime, of the JDKs " + jdks);
  }

  @Test
  void attestor_loadingJcuda_printsNoNativeAccessWarning() throws Exception {
    // 'devices' loads JCuda's JNI library (System.load) to look for the driver: JDK 24+ warns
    // in four lines unless native access is enabled (the jar's manifest does it).
    Result r = runBundled(60, "bin/attestor", "devices");
    assertEquals(0, r.code(), r.err());
    assertEquals(INCUBATOR_NOTE, r.err(), "the JVM's one line, and no other");
  }

  @Test
  void launchers_useTheBundledRuntime_andPassExitCodesThrough() throws Exception {
    Result a = runBundled(60, "bin/attestor", "--version");
    assertEquals(0, a.code(), a.err());
    assertTrue(a.out().startsWith("attestor " + VERSION + " ") && a.out().lines().count() == 1,
        a.out());
    assertEquals(INCUBATOR_NOTE, a.err(), "the JVM's one line, and no other");
    Result v = runBundled(60, "bin/validator", "--version");
    assertEquals(0, v.code(), v.err());
    assertTrue(v.out().startsWith("validator " + VERSION + " ") && v.out().lines().count() == 1,
        v.out());
    assertEquals(INCUBATOR_NOTE, v.err());
    Result bad = runBundled(60, "bin/validator", "--no-such-option");
    assertEquals(2, bad.code(), "bad usage is exit 2 through the launcher");
    assertFalse(bad.err().contains(BundleRuns.FAKE_JAVA_SAYS));
  }

  /**
   * 'serve' is the service add-on's (scripts/bundle.sh --service, too large for the bundle):
   * without it the launcher says what to unpack, in one line, exit 2; the runtime already holds
   * the modules the add-on's jar needs beyond the validator's.
   */
  @Test
  void validatorServe_withoutTheServiceAddOn_oneLineSayingWhatToUnpack_exit2()
      throws Exception {
    Result r = runBundled(60, "bin/validator", "serve", "--check", "--fleet", "fleet.json");
    assertEquals(2, r.code(), r.err());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("validator: 'serve' needs the service add-on: unpack"
        + " gpu-attest-service-" ) && r.err().lines().count() == 1, r.err());
    String modules = Files.readAllLines(bundle.resolve("runtime/release")).stream()
        .filter(l -> l.startsWith("MODULES=")).findFirst().orElse("");
    assertTrue(List.of(modules.replaceAll("^MODULES=\"|\"$", "").split(" ")).containsAll(
        List.of("java.sql", "java.naming", "java.management", "java.security.jgss")), modules);
  }

  @Test
  void cpuAttestation_endToEnd_onTheBundleAlone() throws Exception {
    String prover = "'" + bundle.resolve("bin/attestor") + "' --backend cpu";
    Result r = runBundled(180, "bin/validator", "attest", "--prover", prover, "--allow-cpu",
        "--gpus", "1", "--model", "NVIDIA H100 80GB HBM3", "--dim", "64", "--iterations", "2");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("verdict: PASS"), r.out());
    assertTrue(r.out().startsWith("attestation: 1 x NVIDIA H100 80GB HBM3, n=64, T=2, ")
        && r.out().lines().skip(1).findFirst().orElse("").startsWith("PASS  challenge.binding"),
        "stdout is the verdict alone: " + r.out());
    assertTrue(r.err().startsWith(INCUBATOR_NOTE), r.err());
    assertTrue(r.err().contains("prover: " + INCUBATOR_NOTE), "the prover's JVM says it too");
    // Work this small is done on the plain kernel in both JVMs, before the vector kernel
    // would be compiled (CpuKernels), and each says so.
    assertTrue(r.err().contains("\nvalidator: rows are recomputed with the CPU kernel: scalar 4x4"
        + " ("), r.err());
    assertTrue(r.err().contains("\nprover: attestor: cpu backend, 1 device, n=64, T=2; CPU kernel:"
        + " scalar 4x4 ("), r.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"attestor", "validator"})
  void launchers_mapTheToolsClassesFromTheirArchive(String tool) throws Exception {
    // -Xshare:on turns a usable-but-unused archive into a failure to start; the class log
    // shows the tool's own classes mapped from it, not read from the jar.
    Path log = tmp.resolve(tool + "-classes.log");
    Result r = runBundled(60, Map.of("GPU_ATTEST_JAVA_OPTS",
        "-Xshare:on -Xlog:class+load=info:file=" + log), "bin/" + tool, "--help");
    assertEquals(0, r.code(), r.err());
    String main = "org.gpuattest." + tool + ".cli." + (tool.equals("attestor")
        ? "AttestorCli" : "ValidatorCli");
    assertTrue(Files.readString(log).contains(main + " source: shared objects file"),
        "the launcher's JVM did not map " + main + " from lib/" + tool + ".jsa");
  }

  @Test
  void launchers_withoutAUsableArchive_workAsBefore_andSayNothing() throws Exception {
    // A bundle of its own, at yet another place: one archive deleted, one jar's time stamp
    // changed (its archive then names another file), one archive cut short.
    Path other = Files.createDirectories(tmp.resolve("unpacked-again"));
    assertEquals(0, run(Map.of(), 60, "tar", "-C", other.toString(), "-xzf",
        tarball.toString()).code());
    Path copy = other.resolve("gpu-attest-" + VERSION);
    Files.delete(copy.resolve("lib/validator.jsa"));
    Path attestorJar = copy.resolve("lib/attestor.jar");
    Files.setLastModifiedTime(attestorJar, FileTime.fromMillis(
        Files.getLastModifiedTime(attestorJar).toMillis() - 60_000));
    for (String tool : List.of("attestor", "validator")) {
      Result r = runIn(copy, 60, Map.of(), "bin/" + tool, "--version");
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().startsWith(tool + " ") && r.out().lines().count() == 1, r.out());
      assertEquals(INCUBATOR_NOTE, r.err(), tool + ": no word about the archive");
    }
    Path archive = copy.resolve("lib/attestor.jsa");
    byte[] head = Arrays.copyOf(Files.readAllBytes(archive), 4096);
    Files.delete(archive); // it is read-only, as the JVM writes it
    Files.write(archive, head);
    String prover = "'" + copy.resolve("bin/attestor") + "' --backend cpu";
    Result r = runIn(copy, 180, Map.of(), "bin/validator", "attest", "--prover", prover,
        "--allow-cpu", "--gpus", "1", "--model", "NVIDIA H100 80GB HBM3", "--dim", "64",
        "--iterations", "1");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().startsWith("attestation: 1 x ")
        && r.out().contains("\nPASS  challenge.binding"), r.out());
    assertFalse(r.out().contains("cds") || r.err().contains("cds") || r.err().contains("shared"),
        r.err());
  }

  @Test
  void gpuCheck_withoutGpu_failsAtDevices_andWritesItsReport() throws Exception {
    Result devices = runBundled(60, "bin/attestor", "devices", "--json");
    assumeTrue(devices.out().replaceAll("\\s", "").contains("\"gpus\":[]"),
        "this host has a GPU: the no-GPU report cannot be checked here");
    Path report = tmp.resolve("report.txt");
    Result r = runBundled(120, "scripts/gpu-check.sh", "--out", report.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    String text = Files.readString(report);
    assertTrue(text.startsWith("gpu-attest GPU check\ndate: "), text);
    assertTrue(text.contains("\nattestor: attestor ") && text.contains("\nvalidator: validator "),
        "the tools' versions, not the JVM's note before them: " + text);
    assertTrue(text.contains("=== devices\ncommand: " + bundle.resolve("bin/attestor")
        + " devices --json"), text);
    assertTrue(text.contains("\nexit code: 0\nwall time: "), text);
    assertTrue(text.contains("FAIL  devices    no GPU"), text);
    assertTrue(text.contains("SKIP  duplicate  no GPU listed"), text);
    assertTrue(text.strip().endsWith("gpu-check: FAIL"), text);
    assertTrue(r.out().contains("gpu-check: FAIL (report: " + report + ")"), r.out());
  }

  @Test
  void bundleScript_jdkWithoutJlink_refusesInOneLine() throws Exception {
    Path notJdk = Files.createDirectories(tmp.resolve("not-a-jdk"));
    Result r = run(Map.of(), 30, "bash", REPO.resolve("scripts/bundle.sh").toString(),
        "--no-build", "--jdk", notJdk.toString(), "--out", tmp.resolve("refused").toString());
    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertEquals("bundle.sh: no jlink/jdeps in --jdk " + notJdk + " (it must name a JDK 17+)",
        r.err().strip());
    assertFalse(Files.exists(tmp.resolve("refused")), "nothing written when refusing");
  }

  /** Runs a bundle file with PATH led by a failing java and no JAVA_HOME. */
  private static Result runBundled(int seconds, String file, String... args) throws Exception {
    return runIn(bundle, seconds, Map.of(), file, args);
  }

  private static Result runBundled(int seconds, Map<String, String> env, String file,
      String... args) throws Exception {
    return runIn(bundle, seconds, env, file, args);
  }

  /** As {@link #runBundled}, in the bundle unpacked at {@code home}, with {@code env} too. */
  private static Result runIn(Path home, int seconds, Map<String, String> env, String file,
      String... args) throws Exception {
    return BundleRuns.runIn(tmp, fakeJavaBin, home, seconds, env, file, args);
  }

  private static Result run(Map<String, String> env, int seconds, String... cmd)
      throws Exception {
    return BundleRuns.run(tmp, env, seconds, cmd);
  }

  private static List<String> suffixes(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString())
          .map(n -> n.endsWith(".sha256") ? ".sha256" : n.endsWith(".tar.gz") ? ".tar.gz" : n)
          .sorted().toList();
    }
  }

}
