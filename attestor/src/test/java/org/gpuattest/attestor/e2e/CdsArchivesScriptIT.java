package org.gpuattest.attestor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/cds-archives.sh, the class-data archives of both tools: made by the package step on
 * the JDK that runs the build (and usable there), made on a JDK whose class lists number their
 * classes (JDK 25: each training JVM numbers its own, so the merged list must be numbered
 * afresh), and, where they cannot be made, a warning and exit 1, never a failed build, with no
 * stale archive left beside a new jar. Run after 'package' (surefire's integration-test
 * execution), on the jars this build made.
 */
class CdsArchivesScriptIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path SCRIPT = REPO.resolve("scripts/cds-archives.sh");
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Path ATTESTOR_JAR = REPO.resolve("attestor/target/attestor.jar");
  private static final Path VALIDATOR_JAR = REPO.resolve("validator/target/validator.jar");

  @TempDir Path tmp;

  @Test
  void packageStep_madeBothArchives_andThisJdkMapsThem() throws Exception {
    for (Path jar : List.of(ATTESTOR_JAR, VALIDATOR_JAR)) {
      Path archive = jsa(jar);
      assertTrue(Files.isRegularFile(archive), archive + " is missing after 'package'");
      assertFalse(Files.getLastModifiedTime(archive).compareTo(
          Files.getLastModifiedTime(jar)) < 0, archive + " is older than its jar");
      // -Xshare:on turns an archive this JVM cannot use into a failure to start.
      Result r = run(List.of(JAVA.toString(), "--add-modules", "jdk.incubator.vector",
          "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-jar", jar.toString(),
          "--version"), 60);
      assertEquals(0, r.code, r.err);
    }
  }

  @Test
  void script_onAJdkThatNumbersItsClassLists_makesArchivesItsJvmMaps() throws Exception {
    Optional<Path> jdk = jdkNumberingClassLists();
    assumeTrue(jdk.isPresent(), "no JDK 20+ here whose class lists carry 'id:'");
    Path java = jdk.get().resolve("bin/java");
    Path attestor = copy(ATTESTOR_JAR);
    Path validator = copy(VALIDATOR_JAR);
    Result r = run(List.of("bash", SCRIPT.toString(), "--java", java.toString(),
        attestor.toString(), validator.toString()), 300);
    assertEquals(0, r.code, r.err);
    for (Path jar : List.of(attestor, validator)) {
      Result v = run(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
          "-Xshare:on", "-XX:SharedArchiveFile=" + jsa(jar), "-jar", jar.toString(),
          "--version"), 60);
      assertEquals(0, v.code, jdk.get() + " cannot map " + jsa(jar) + ": " + v.err);
    }
  }

  @Test
  void script_trainingRunFails_warnsExitsOne_andRemovesTheOldArchives() throws Exception {
    Path attestor = copy(ATTESTOR_JAR);
    Path validator = copy(VALIDATOR_JAR);
    Files.writeString(jsa(attestor), "an archive of an older jar");
    Files.writeString(jsa(validator), "an archive of an older jar");
    Path fake = Files.writeString(tmp.resolve("java"), "#!/bin/sh\necho 'no JVM here' >&2\n"
        + "exit 1\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Result r = run(List.of("bash", SCRIPT.toString(), "--java", fake.toString(),
        attestor.toString(), validator.toString()), 60);
    assertEquals(1, r.code, r.err);
    assertTrue(r.err.contains("no JVM here\ncds-archives.sh: the training run failed at"
        + " 'attestor --help' (its last lines are above)\n"), r.err);
    assertTrue(r.err.endsWith("cds-archives.sh: warning: no class-data archive for attestor"
        + " validator; the tools work the same without one, only start slower\n"), r.err);
    assertFalse(Files.exists(jsa(attestor)) || Files.exists(jsa(validator)),
        "a stale archive was left beside its new jar");
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of("attestor.jar", "java", "validator.jar"),
          left.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void script_badUsage_exitsTwo() throws Exception {
    Result r = run(List.of("bash", SCRIPT.toString(), ATTESTOR_JAR.toString()), 30);
    assertEquals(2, r.code, r.err);
    assertTrue(r.err.startsWith("cds-archives.sh: needs ATTESTOR_JAR and VALIDATOR_JAR"), r.err);
  }

  /** The newest JDK of feature release 20+ among this JVM's and /usr/lib/jvm's, if any. */
  private static Optional<Path> jdkNumberingClassLists() throws IOException {
    List<Path> candidates = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> all = Files.list(jvms)) {
        all.forEach(candidates::add);
      }
    }
    return candidates.stream().filter(d -> Files.isExecutable(d.resolve("bin/java")))
        .filter(d -> feature(d) >= 20).max(Comparator.comparingInt(CdsArchivesScriptIT::feature));
  }

  /** A JDK's feature release from its release file, or 0. */
  static int feature(Path jdk) {
    try {
      for (String line : Files.readAllLines(jdk.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=\"")) {
          String v = line.substring("JAVA_VERSION=\"".length());
          return Integer.parseInt(v.split("[.\"]")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  private Path copy(Path jar) throws IOException {
    return Files.copy(jar, tmp.resolve(jar.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
  }

  private static Path jsa(Path jar) {
    String name = jar.getFileName().toString();
    return jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".jsa");
  }

  private Result run(List<String> cmd, int seconds) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + ": still running after " + seconds + " s");
    }
    Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  private record Result(int code, String out, String err) {}
}
