package org.gpuattest.validator.cli;

import static org.gpuattest.validator.ScriptProvers.awaitPid;
import static org.gpuattest.validator.ScriptProvers.goneSoon;
import static org.gpuattest.validator.ScriptProvers.script;
import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session file between the steps: it holds no sampling seed until the commitment is in,
 * takes one commitment (for its own challenge) however many 'sample' runs race for it, and is
 * left as it was by every refusal. Also the checks that need a separate validator process.
 */
class ValidatorSessionTest {
  @TempDir Path dir;
  private Path session;
  private String challengeText;
  private String commitment;

  @BeforeEach
  void issue() throws Exception {
    session = dir.resolve("session.json");
    challengeText = run("challenge", "--gpus", "2", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--samples", "8", "--weak-timing", "--session", session.toString())
        .assertOk()
        .out().strip();
    commitment = MessageCodec.encode(ValidatorMessageBadInputTest.commitmentFor(challengeText));
  }

  private Session saved() throws Exception {
    return Json.read("session", Files.readAllBytes(session), Session.class);
  }

  /** A prover on the same host can read the session file: it must hold nothing to grind on. */
  @Test
  void challenge_sessionFile_holdsNoSamplingSeedUntilTheCommitmentIsIn() throws Exception {
    assertNull(saved().samplingSeed());
    assertFalse(Files.readString(session).contains("samplingSeed"));
    run("sample", "--session", session.toString(), "--commitment", commitment).assertOk();
    assertEquals(64, saved().samplingSeed().length());
  }

  @Test
  void sample_anotherChallengesCommitment_exit2AndSessionUntouched() throws Exception {
    Path other = dir.resolve("other.json");
    String otherChallenge = run("challenge", "--gpus", "2", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--samples", "8", "--weak-timing", "--session", other.toString())
        .assertOk()
        .out().strip();
    String foreign = MessageCodec.encode(
        ValidatorMessageBadInputTest.commitmentFor(otherChallenge));
    byte[] before = Files.readAllBytes(session);
    run("sample", "--session", session.toString(), "--commitment", foreign)
        .assertBadInput("answers another challenge");
    assertArrayEquals(before, Files.readAllBytes(session));
    run("sample", "--session", session.toString(), "--commitment", commitment).assertOk();
  }

  /** Base64 wrapped at 76 columns, as base64(1) writes it, in an @file. */
  @Test
  void sample_wrappedBase64File_accepted() throws Exception {
    String wrapped = Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(Base64.getDecoder().decode(commitment)) + "\n";
    assertTrue(wrapped.lines().count() > 3);
    Path file = Files.writeString(dir.resolve("commitment.b64"), wrapped);
    run("sample", "--session", session.toString(), "--commitment", "@" + file).assertOk();
  }

  /** The sampled session file given as the openings: refused without echoing its secret. */
  @Test
  void verify_sessionFileAsOpenings_refusedWithoutEchoingTheSeed() throws Exception {
    run("sample", "--session", session.toString(), "--commitment", commitment).assertOk();
    String seed = saved().samplingSeed();
    Result r = run("verify", "--session", session.toString(), "--openings", "@" + session,
        "--allow-cpu", "--replay-dir", dir.resolve("replay").toString())
        .assertBadInput("openings");
    for (int i = 0; i + 8 <= seed.length(); i += 8) {
      assertFalse(r.err().contains(seed.substring(i, i + 8)), r.err());
    }
    assertTrue(r.err().length() < 300, r.err());
  }

  @Test
  void verify_unwritableReplayStore_exit3NoVerdictAndIdNotUsed() throws Exception {
    run("sample", "--session", session.toString(), "--commitment", commitment).assertOk();
    byte[] before = Files.readAllBytes(session);
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result r = run("verify", "--session", session.toString(), "--openings", "e30=",
        "--allow-cpu", "--replay-dir", file.resolve("used").toString());
    assertEquals(ExitCodes.RUNTIME, r.code(), r.describe());
    assertEquals("", r.out(), "no verdict: the prover is not at fault");
    assertTrue(r.err().contains("--replay-dir: replay store"), r.err());
    assertArrayEquals(before, Files.readAllBytes(session));
  }

  /** Racing 'sample' runs: one wins, the others are refused; the prover gets one request. */
  @Test
  void sample_racingRunsInOneJvm_exactlyOneSucceeds() throws Exception {
    int runs = 6;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Result> results = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < runs; i++) {
      Thread t = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        results.add(run("sample", "--session", session.toString(), "--commitment",
            commitment));
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(60_000);
    }
    assertEquals(runs, results.size());
    assertEquals(1, results.stream().filter(r -> r.code() == 0).count(), results.toString());
    results.stream().filter(r -> r.code() != 0)
        .forEach(r -> r.assertBadInput("a commitment was already received"));
  }

  /** Another process holding the session's lock makes 'sample' wait for it. */
  @Test
  void sample_sessionLockedByAnotherProcess_waitsForTheLock() throws Exception {
    Process child;
    try (FileChannel ch = FileChannel.open(session, StandardOpenOption.READ,
        StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
      child = ChildValidator.start(List.of(), dir.resolve("out"), dir.resolve("err"), "sample",
          "--session", session.toString(), "--commitment", commitment);
      assertFalse(child.waitFor(4, TimeUnit.SECONDS), "sample ran while the session was"
          + " locked: " + Files.readString(dir.resolve("err")));
      assertNull(saved().commitment());
    }
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, child.exitValue(), Files.readString(dir.resolve("err")));
    assertTrue(saved().commitment() != null);
  }

  /** Verifying K rows of n doubles must fit the validator's heap: refused at issue time. */
  @Test
  void challenge_moreSampledRowsThanTheHeapHolds_exit3AtIssue() throws Exception {
    Path s = dir.resolve("big.json");
    Process p = ChildValidator.start(List.of("-Xmx256m"), dir.resolve("out"),
        dir.resolve("err"), "challenge", "--gpus", "1", "--model", MODEL, "--dim", "16384",
        "--iterations", "1", "--samples", "4096", "--weak-timing", "--session", s.toString());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String err = Files.readString(dir.resolve("err"));
    assertEquals(ExitCodes.RUNTIME, p.exitValue(), err);
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.contains("verifying 4096 sampled rows at n=16384 needs"), err);
    assertEquals("", Files.readString(dir.resolve("out")));
    assertFalse(Files.exists(s));
  }

  /** SIGTERM (or Ctrl-C) to 'validator attest' stops the prover and the prover's children. */
  @Test
  void attest_validatorTerminated_proverTreeStopped() throws Exception {
    Path pid = dir.resolve("child.pid");
    String prover = script(dir, "slow", "sleep 120 & echo $! > '" + pid + "'; wait");
    Process v = ChildValidator.start(List.of(), dir.resolve("out"), dir.resolve("err"),
        "attest", "--prover", prover, "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "1", "--weak-timing", "--replay-dir", dir.resolve("replay").toString());
    long child = awaitPid(pid);
    v.destroy(); // SIGTERM
    assertTrue(v.waitFor(30, TimeUnit.SECONDS));
    assertTrue(goneSoon(child), "the prover's child survived the validator");
  }
}
