package org.gpuattest.validator;

import static org.gpuattest.validator.ScriptProvers.awaitPid;
import static org.gpuattest.validator.ScriptProvers.goneSoon;
import static org.gpuattest.validator.ScriptProvers.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One prover step as {@code validator attest} runs it: a prover that never reads, hangs, leaves
 * children behind, writes nothing or too much, or exits with an error is a {@link ProverFailure}
 * within the deadline, and nothing it started outlives the step.
 */
class ProverProcessTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  private ProverProcess prover(String command) {
    return new ProverProcess(command, new PrintWriter(err), Clock.systemUTC());
  }

  private static ProverFailure failure(ProverProcess p, Duration timeout) {
    return assertThrows(ProverFailure.class,
        () -> p.call("prove", "--challenge", "QUJD", timeout));
  }

  @Test
  void call_answerLine_returnedWithTheStepsWordsPassed() throws Exception {
    ProverProcess.Answer a = prover(script(dir, "echo", "read line; echo \"$line $*\""))
        .call("open", "--request", "QUJD", Duration.ofSeconds(20));
    assertEquals("QUJD open --request - --watch-stdin", a.text());
  }

  /** The message is written on its own thread: a prover that never reads cannot stall us. */
  @Test
  void call_proverNeverReadsAndMessageFillsThePipe_timesOutAtTheDeadline() throws Exception {
    ProverProcess p = prover(script(dir, "deaf", "sleep 30"));
    String big = "A".repeat(4 << 20);
    ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(ProverFailure.class,
        () -> p.call("open", "--request", big, Duration.ofSeconds(1))));
    assertEquals(ProverFailure.TIMEOUT, f.check());
    assertTrue(f.getMessage().contains("within its deadline of 1 s"), f.getMessage());
  }

  @Test
  void call_timeout_stopsTheProverAndItsChildren() throws Exception {
    Path pid = dir.resolve("child.pid");
    ProverProcess p = prover(script(dir, "hang", "sleep 60 & echo $! > '" + pid + "'; wait"));
    ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> failure(p, Duration.ofSeconds(2)));
    assertEquals(ProverFailure.TIMEOUT, f.check());
    assertTrue(goneSoon(awaitPid(pid)), "the prover's child still runs");
  }

  /** The answer arrives when its line is complete, not when a child lets go of the pipe. */
  @Test
  void call_childHoldsStdoutAfterTheAnswer_arrivalIsTheAnswerLine() throws Exception {
    ProverProcess p = prover(script(dir, "linger", "echo QUJD; sleep 20 & exit 0"));
    Instant before = Instant.now();
    ProverProcess.Answer a = assertTimeoutPreemptively(LIMIT,
        () -> p.call("prove", "--challenge", "QUJD", Duration.ofSeconds(20)));
    Duration took = Duration.between(before, Instant.now());
    assertEquals("QUJD", a.text());
    assertTrue(Duration.between(before, a.receivedAt()).toMillis() < 5000, a.receivedAt()
        + " vs " + before);
    assertTrue(took.toMillis() < 8000, "waited " + took + " for the child to let go");
  }

  @Test
  void call_nonZeroExit_proverExitWithTheCode() throws Exception {
    ProverFailure f = failure(prover(script(dir, "fail", "echo QUJD; exit 4")),
        Duration.ofSeconds(20));
    assertEquals(ProverFailure.EXIT, f.check());
    assertTrue(f.getMessage().contains("exited with code 4"), f.getMessage());
  }

  @Test
  void call_commandNotFound_saysSo() {
    ProverFailure f = failure(prover("/nonexistent/attestor"), Duration.ofSeconds(20));
    assertEquals(ProverFailure.EXIT, f.check());
    assertTrue(f.getMessage().contains("127 (the shell found no such command"), f.getMessage());
  }

  @Test
  void call_noOutput_proverOutput() throws Exception {
    ProverFailure f = failure(prover(script(dir, "mute", "exit 0")), Duration.ofSeconds(20));
    assertEquals(ProverFailure.OUTPUT, f.check());
    assertTrue(f.getMessage().contains("wrote nothing"), f.getMessage());
  }

  @Test
  void call_emptyFirstLine_proverOutputSayingSo() throws Exception {
    ProverFailure f = failure(prover(script(dir, "blank", "echo; echo QUJD")),
        Duration.ofSeconds(20));
    assertEquals(ProverFailure.OUTPUT, f.check());
    assertTrue(f.getMessage().contains("an empty first line"), f.getMessage());
  }

  @Test
  void call_endlessLine_proverOutputWithoutBufferingIt() throws Exception {
    ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> failure(
        prover(script(dir, "flood", "head -c 50000000 /dev/zero | tr '\\000' A")),
        Duration.ofSeconds(25)));
    assertEquals(ProverFailure.OUTPUT, f.check());
    assertTrue(f.getMessage().contains("more than any message can be"), f.getMessage());
  }

  /** What the prover prints on stderr is marked as its own and cannot move the cursor. */
  @Test
  void call_stderr_markedAndEscaped() throws Exception {
    prover(script(dir, "noisy", "printf 'fake\\033[2K\\rverdict: PASS\\n' >&2; echo QUJD"))
        .call("prove", "--challenge", "QUJD", Duration.ofSeconds(20));
    String text = err.toString();
    assertTrue(text.contains("prover: fake\\u001b[2K\\u000dverdict: PASS"), text);
    assertFalse(text.lines().anyMatch(l -> l.startsWith("verdict:")), text);
  }

  @Test
  void call_processesLeftBehind_none() throws Exception {
    Path pid = dir.resolve("bg.pid");
    prover(script(dir, "bg", "sleep 60 & echo $! > '" + pid + "'; sleep 1; echo QUJD"))
        .call("prove", "--challenge", "QUJD", Duration.ofSeconds(20));
    assertTrue(goneSoon(awaitPid(pid)), "a child of the prover outlived the step");
    assertTrue(Files.exists(pid));
  }
}
