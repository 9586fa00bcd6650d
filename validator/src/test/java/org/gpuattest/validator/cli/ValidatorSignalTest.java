package org.gpuattest.validator.cli;

import static org.gpuattest.validator.ScriptProvers.awaitPid;
import static org.gpuattest.validator.ScriptProvers.goneSoon;
import static org.gpuattest.validator.ScriptProvers.script;
import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gpuattest.common.ExitCodes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The validator stopped by a signal while 'attest' runs a prover (docs/protocol.md §8.4): it
 * stops the prover's whole process tree, says so in one line, prints no verdict (the prover
 * did nothing wrong) and exits 3, not the JVM's 143 or 130. In a JVM of its own, as a user
 * starts it.
 */
class ValidatorSignalTest {
  @TempDir Path dir;

  /** SIGTERM (kill, or Process.destroy) and SIGINT (Ctrl-C) alike, in either flow. */
  @ParameterizedTest
  @CsvSource({"TERM, --conversation", "INT, --conversation", "TERM, --separate"})
  void attest_validatorSignalled_exit3WithOneLineAndProverTreeStopped(String signal,
      String flow) throws Exception {
    Path pid = dir.resolve("child.pid");
    String prover = script(dir, "slow", "sleep 120 & echo $! > '" + pid + "'; wait");
    List<String> args = new ArrayList<>(List.of("attest", "--prover", prover, "--gpus", "1",
        "--model", MODEL, "--dim", "64", "--iterations", "1", "--weak-timing", "--replay-dir",
        dir.resolve("replay").toString(), "--archive", dir.resolve("archive").toString()));
    if (flow.equals("--separate")) {
      args.add(flow);
    }
    Process v = ChildValidator.start(List.of(), dir.resolve("out"), dir.resolve("err"),
        args.toArray(String[]::new));
    long child = awaitPid(pid);
    assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(v.pid()))
        .start().waitFor());
    assertTrue(v.waitFor(30, TimeUnit.SECONDS), "the validator did not exit");
    String err = Files.readString(dir.resolve("err"));
    assertEquals(ExitCodes.RUNTIME, v.exitValue(), err);
    assertTrue(err.strip().endsWith("validator: stopped by a signal; the prover and everything"
        + " it started have been stopped (exit 3)"), err);
    assertFalse(err.contains("verdict"), err);
    assertEquals("", Files.readString(dir.resolve("out")), "no verdict blames the prover");
    try (Stream<Path> archived = Files.walk(dir.resolve("archive"))) {
      assertEquals(List.of(), archived.filter(p -> p.endsWith("record.json")).toList(),
          "nor is the prover's failure archived");
    }
    assertTrue(goneSoon(child), "the prover's child survived the validator");
  }
}
