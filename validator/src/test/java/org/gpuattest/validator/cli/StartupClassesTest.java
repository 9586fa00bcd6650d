package org.gpuattest.validator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the validator loads for a command that needs no message, profile or randomness: none of
 * Jackson, BouncyCastle, the GPU profile table or SecureRandom (issue 9: start-up that costs
 * little), nor, for one subcommand, any other subcommand. Counted from the JVM's class-loading
 * log in a JVM of its own, so the answer depends on the code alone, never on timing.
 */
class StartupClassesTest {
  /** Prefixes of class names that only real work may load. */
  private static final List<String> LATE = List.of("com.fasterxml.jackson.",
      "org.bouncycastle.", "org.gpuattest.validator.GpuProfiles",
      "org.gpuattest.validator.ProfileOverrides", "java.security.SecureRandom",
      "sun.security.provider.NativePRNG");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"--version", "--help", "verify --help", "attest --help",
      "--profiles ops.json attest --help", "fleet --help", "--no-such-option"})
  void commandsThatNeedNothing_loadNoJsonCryptoProfilesOrRandomness(String command)
      throws Exception {
    Path log = dir.resolve("classes.log");
    Process p = ChildValidator.start(List.of("-Xlog:class+load=info:file=" + log),
        dir.resolve("out"), dir.resolve("err"), command.split(" "));
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the validator did not exit");
    String err = Files.readString(dir.resolve("err"));
    assertEquals(command.startsWith("--no-such") ? 2 : 0, p.exitValue(), () -> "stderr: " + err);
    List<String> loaded = Files.readAllLines(log).stream()
        .map(l -> l.replaceFirst("^.*\\[class,load\\] ", "").replaceFirst(" .*", ""))
        .filter(c -> LATE.stream().anyMatch(c::startsWith)).toList();
    assertTrue(loaded.isEmpty(), () -> "'validator " + command + "' loaded " + loaded.size()
        + " such classes, the first: " + loaded.subList(0, Math.min(5, loaded.size())));
    assertTrue(Files.readString(log).contains(ValidatorCli.class.getName() + " source:"),
        "the log lists the classes loaded");
  }

  /**
   * A command whose declared CPU work is below the vector kernel's threshold (CpuWork) runs the
   * plain kernel, and with the Vector API module enabled, as the launchers start it, does not
   * even load the Vector API: its classes and species are part of the start-up the plain
   * kernel is chosen to save (docs/benchmarks.md, "Kernel choice").
   */
  @Test
  void smallWork_withTheVectorModule_loadsNoVectorApi() throws Exception {
    Path log = dir.resolve("classes.log");
    Process p = ChildValidator.start(List.of("--add-modules", "jdk.incubator.vector",
        "-Xlog:disable", "-Xlog:class+load=info:file=" + log), dir.resolve("out"),
        dir.resolve("err"), "spec", "roots", "--dim", "64", "--gpus", "1", "--iterations", "1",
        "--seed", "00".repeat(32));
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the validator did not exit");
    assertEquals(0, p.exitValue(), () -> "stderr: " + dir.resolve("err"));
    assertTrue(Files.readString(dir.resolve("out")).startsWith("0 "), "one root printed");
    List<String> vector = Files.readAllLines(log).stream()
        .map(l -> l.replaceFirst("^.*\\[class,load\\] ", "").replaceFirst(" .*", ""))
        .filter(c -> c.startsWith("jdk.incubator.vector.")
            || c.equals("org.gpuattest.common.cpu.VectorKernel")).toList();
    assertTrue(vector.isEmpty(), () -> "loaded " + vector.size() + " Vector API classes, the"
        + " first: " + vector.subList(0, Math.min(5, vector.size())));
  }

  @Test
  void aSubcommand_buildsNoOtherSubcommand() throws Exception {
    Path log = dir.resolve("classes.log");
    Process p = ChildValidator.start(List.of("-Xlog:class+load=info:file=" + log),
        dir.resolve("out"), dir.resolve("err"), "verify", "--help");
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the validator did not exit");
    assertEquals(0, p.exitValue());
    String loaded = Files.readString(log);
    assertTrue(loaded.contains(VerifyCommand.class.getName() + " source:"), "verify is built");
    for (Class<?> other : List.of(ChallengeCommand.class, SampleCommand.class,
        AttestCommand.class, SpecCommand.class)) {
      assertFalse(loaded.contains(other.getName() + " source:"), other.getSimpleName());
    }
  }
}
