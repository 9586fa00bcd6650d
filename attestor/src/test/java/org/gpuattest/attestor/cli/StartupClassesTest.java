package org.gpuattest.attestor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the attestor loads for a command that does no work: none of Jackson, BouncyCastle,
 * JCuda or SecureRandom (issue 9: start-up that costs little). Counted from the JVM's
 * class-loading log in a JVM of its own, started as a user starts it, so the answer depends on
 * the code alone, never on timing.
 */
class StartupClassesTest {
  /** Prefixes of class names that only real work may load. */
  private static final List<String> LATE = List.of("com.fasterxml.jackson.",
      "org.bouncycastle.", "jcuda.", "java.security.SecureRandom",
      "sun.security.provider.NativePRNG");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"--version", "--help", "prove --help", "devices --help",
      "--no-such-option"})
  void commandsThatDoNoWork_loadNoJsonCryptoCudaOrRandomness(String command) throws Exception {
    Path log = dir.resolve("classes.log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
        AttestorCli.class.getName()));
    cmd.addAll(List.of(command.split(" ")));
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(
            Path.of("/dev/null").toFile()))
        .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile())
        .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the attestor did not exit");
    String err = Files.readString(dir.resolve("err"));
    assertEquals(command.startsWith("--no-such") ? 2 : 0, p.exitValue(), () -> "stderr: " + err);
    List<String> loaded = Files.readAllLines(log).stream()
        .map(l -> l.replaceFirst("^.*\\[class,load\\] ", "").replaceFirst(" .*", ""))
        .filter(c -> LATE.stream().anyMatch(c::startsWith)).toList();
    assertTrue(loaded.isEmpty(), () -> "'attestor " + command + "' loaded " + loaded.size()
        + " such classes, the first: " + loaded.subList(0, Math.min(5, loaded.size())));
    assertTrue(Files.readString(log).contains(AttestorCli.class.getName() + " source:"),
        "the log lists the classes loaded");
  }
}
