package org.gpuattest.attestor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scripts/demo.sh, run on a copy of the script (and scripts/lib, which it sources) in a tree
 * of stand-ins: a {@code mvn} that notes it ran and writes what Maven writes (escape codes),
 * and a {@code java} that notes it ran. It keeps its standard output for the verdict, so
 * {@code demo.sh --json} prints only JSON: the build it may run writes elsewhere. It builds
 * when a jar is missing or older than a source it is made from (after a pull, say), and only
 * then.
 */
class DemoScriptTest {
  /** Before the jars: every source's time stamp unless a test makes one newer. */
  private static final FileTime OLD = FileTime.fromMillis(1_700_000_000_000L);
  private static final FileTime BUILT = FileTime.fromMillis(1_700_000_060_000L);
  private static final FileTime PULLED = FileTime.fromMillis(1_700_000_120_000L);
  private static final List<String> SOURCES = List.of("pom.xml", "common/pom.xml",
      "common/src/main/java/Common.java", "kernels/src/main/resources/k.txt",
      "attestor/src/main/java/Attestor.java", "validator/pom.xml",
      "validator/src/main/java/Validator.java", "ptx/matmul.ptx", "testdata/gpu-profiles.json");
  private static final List<String> JARS =
      List.of("attestor/target/attestor.jar", "validator/target/validator.jar");

  @TempDir Path tree;

  @Test
  void demo_buildOutput_neverOnStdout() throws Exception {
    setUp(false, "printf '\\033[0m\\033[0m[INFO] BUILD FAILURE\\n'\nexit 1");
    Result r = demo("--json");
    assertTrue(r.code != 0, "the stand-in build failed, so must the demo");
    assertEquals("", r.out, "stdout is for the verdict only");
    assertTrue(r.err.contains("BUILD FAILURE"), r.err);
  }

  @Test
  void demo_jarsNewerThanEverySource_runsThemWithoutBuilding() throws Exception {
    setUp(true, "exit 1");
    Result r = demo();
    assertEquals(0, r.code, r.err);
    assertFalse(Files.exists(tree.resolve("mvn-ran")), "no build: " + r.err);
    assertTrue(Files.readString(tree.resolve("java-ran")).contains("attestor.jar devices"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pom.xml", "common/pom.xml", "common/src/main/java/Common.java",
      "kernels/src/main/resources/k.txt", "attestor/src/main/java/Attestor.java",
      "validator/src/main/java/Validator.java", "ptx/matmul.ptx", "testdata/gpu-profiles.json"})
  void demo_sourceNewerThanTheJars_rebuildsThemFirst(String source) throws Exception {
    setUp(true, "exit 1");
    Files.setLastModifiedTime(tree.resolve(source), PULLED);
    Result r = demo();
    assertTrue(Files.exists(tree.resolve("mvn-ran")), source + " is newer: " + r.err);
    assertTrue(r.code != 0, "the stand-in build failed, so must the demo");
    assertFalse(Files.exists(tree.resolve("java-ran")), "no stale jar is run");
  }

  @Test
  void demo_sourceFileAddedUnderSrcMain_rebuilds() throws Exception {
    setUp(true, "exit 1");
    Path added = tree.resolve("validator/src/main/java/Added.java");
    Files.writeString(added, "new\n");
    Files.setLastModifiedTime(added, PULLED);
    demo();
    assertTrue(Files.exists(tree.resolve("mvn-ran")));
  }

  @Test
  void demo_jarMissing_buildsIt() throws Exception {
    setUp(true, "exit 1");
    Files.delete(tree.resolve(JARS.get(1)));
    demo();
    assertTrue(Files.exists(tree.resolve("mvn-ran")));
  }

  /** The tree: scripts, sources (and jars built after them), stand-ins for mvn and java. */
  private void setUp(boolean withJars, String mvnBody) throws IOException {
    Path repo = Path.of(System.getProperty("user.dir")).getParent();
    for (String script : List.of("scripts/demo.sh", "scripts/lib/stale-jars.sh")) {
      Files.createDirectories(tree.resolve(script).getParent());
      Files.copy(repo.resolve(script), tree.resolve(script));
    }
    for (String source : SOURCES) {
      Path p = tree.resolve(source);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "source\n");
    }
    for (String jar : withJars ? JARS : List.<String>of()) {
      Path p = tree.resolve(jar);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "jar\n");
    }
    Path bin = Files.createDirectories(tree.resolve("bin"));
    stub(bin.resolve("mvn"), "touch '" + tree.resolve("mvn-ran") + "'\n" + mvnBody);
    stub(bin.resolve("java"), "echo \"$*\" >> '" + tree.resolve("java-ran") + "'\nexit 0");
    // Everything from before the build, folders too (a folder changes when a file in it is
    // added or removed, which also makes the jars stale); then the jars.
    try (Stream<Path> all = Files.walk(tree)) {
      for (Path p : all.toList()) {
        Files.setLastModifiedTime(p, OLD);
      }
    }
    for (String jar : withJars ? JARS : List.<String>of()) {
      Files.setLastModifiedTime(tree.resolve(jar), BUILT);
    }
  }

  private static void stub(Path file, String body) throws IOException {
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Result demo(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("bash",
        tree.resolve("scripts/demo.sh").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tree.resolve("out").toFile())
        .redirectError(tree.resolve("err").toFile());
    pb.environment().put("PATH", tree.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().put("GPU_ATTEST_HOME", tree.resolve("home").toString());
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Result(p.exitValue(), Files.readString(tree.resolve("out")),
        Files.readString(tree.resolve("err")));
  }

  private record Result(int code, String out, String err) {}
}
