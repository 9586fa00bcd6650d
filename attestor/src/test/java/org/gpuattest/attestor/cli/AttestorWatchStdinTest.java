package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.challenge;
import static org.gpuattest.attestor.cli.AttestorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.message.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prover's end of {@code validator attest}'s lifeline ({@code --watch-stdin}): the message
 * is the first line of stdin, and when stdin closes while the work runs the validator has gone,
 * so the prover stops (exit 3) and keeps no state. Also the checks made before any work.
 */
class AttestorWatchStdinTest {
  @TempDir Path dir;

  /** The message line, then a pause until {@link #close} is called, then end of file. */
  static final class Lifeline extends InputStream {
    private final byte[] line;
    private final CountDownLatch closed = new CountDownLatch(1);
    private int next;

    Lifeline(String message) {
      line = (message + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int read() throws IOException {
      if (next < line.length) {
        return line[next++];
      }
      try {
        closed.await();
      } catch (InterruptedException e) {
        throw new IOException("interrupted");
      }
      return -1;
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }

  @Test
  void prove_stdinClosesDuringTheWork_stopsWithExit3AndNoState() throws Exception {
    // About a minute of CPU work: n = 512, T = 400 on two virtual devices.
    Lifeline in = new Lifeline(MessageCodec.encode(challenge(512, 400, 2, 8)));
    Path state = dir.resolve("state");
    Thread closer = new Thread(() -> {
      try {
        Thread.sleep(1500);
      } catch (InterruptedException e) {
        return;
      }
      in.close();
    });
    closer.start();
    Result r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(in, "prove",
        "--backend", "cpu", "--challenge", "-", "--watch-stdin", "--state", state.toString()));
    assertEquals(ExitCodes.RUNTIME, r.code(), r.describe());
    assertEquals("", r.out());
    assertTrue(r.err().contains("attestor: standard input closed: the validator has gone"),
        r.err());
    assertTrue(r.err().strip().endsWith("attestor: stopped: standard input closed, so the"
        + " validator has gone away"), r.err());
    assertFalse(Files.exists(state) && Files.list(state).findAny().isPresent(),
        "no state for stopped work");
  }

  @Test
  void prove_watchStdinWhileStdinStaysOpen_commitsAsUsual() throws Exception {
    Lifeline in = new Lifeline(MessageCodec.encode(challenge(64, 2, 1, 8)));
    Result r = run(in, "prove", "--backend", "cpu", "--challenge", "-", "--watch-stdin",
        "--state", dir.resolve("state").toString()).assertOk();
    assertEquals(1, r.out().lines().count(), r.describe());
    in.close();
  }

  @Test
  void prove_watchStdinWithMessageFromElsewhere_exit2() {
    run("prove", "--backend", "cpu", "--challenge", MessageCodec.encode(challenge(64, 1, 1, 8)),
        "--watch-stdin").assertBadInput("--watch-stdin");
  }

  @Test
  void prove_unwritableState_exit3BeforeAnyWork() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result r = run("prove", "--backend", "cpu", "--challenge",
        MessageCodec.encode(challenge(64, 1, 1, 8)), "--state", file.resolve("s").toString());
    assertEquals(ExitCodes.RUNTIME, r.code(), r.describe());
    assertTrue(r.err().contains("prover state folder"), r.err());
    assertFalse(r.err().contains("cpu backend, 1 device"), "work started: " + r.err());
  }

  @Test
  void keygen_missingFolder_exit2AndNothingCreated() {
    run("keygen", "--out", dir.resolve("no/such/key.pem").toString())
        .assertBadInput("does not exist");
    assertFalse(Files.exists(dir.resolve("no")));
  }
}
