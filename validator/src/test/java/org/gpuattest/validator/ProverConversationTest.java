package org.gpuattest.validator;

import static org.gpuattest.validator.ScriptProvers.awaitPid;
import static org.gpuattest.validator.ScriptProvers.goneSoon;
import static org.gpuattest.validator.ScriptProvers.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Ready;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validator's end of the attest conversation (docs/protocol.md §3.2) against stand-in
 * provers: the right answers record the go, and each wrong one (a wrong answer to prepare, no
 * pong, no commitment after go, an exit before the openings) is a ProverFailure naming the
 * step, within the deadline, with nothing the prover started left running.
 */
class ProverConversationTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final String ID = "00112233445566778899aabbccddeeff";
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  static Session issued() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Challenge c = new Challenge(1, ID, "ab".repeat(32), 64, 1, 2, "Model", now.toString(),
        now.plusSeconds(600).toString(), 4, null, null);
    return Session.issued(MessageCodec.encode(c), now);
  }

  private static String readyLine() {
    return "ready " + MessageCodec.encode(new Ready(1, ID, 2));
  }

  /** A prover that answers prepare and ping as §3.2 says, then runs {@code afterGo}. */
  private String honestUntilGo(String afterGo) throws Exception {
    return script(dir, "prover", "read prepare\necho '" + readyLine() + "'\nread ping\n"
        + "echo \"pong ${ping#ping }\"\nread go\n" + afterGo);
  }

  private ProverConversation start(String command) throws Exception {
    return ProverConversation.start(command, new PrintWriter(err), Clock.systemUTC());
  }

  private Session readyGo(ProverConversation p, Duration prepareTimeout) throws Exception {
    return readyGo(p, prepareTimeout, false);
  }

  private Session readyGo(ProverConversation p, Duration prepareTimeout, boolean allowCpu)
      throws Exception {
    return ReadyGo.start(p, issued(), prepareTimeout, Clock.systemUTC(), new SecureRandom(),
        new PrintWriter(err), allowCpu);
  }

  @Test
  void readyGo_honestProver_recordsTheGoAndTheRoundTrip() throws Exception {
    Path words = dir.resolve("words");
    String command = honestUntilGo("echo \"$go\" > '" + words + ".go'; echo COMMIT; read r");
    Instant before = Instant.now();
    try (ProverConversation p = start(command + " ; echo \"$*\" > '" + words + "'")) {
      Session s = assertTimeoutPreemptively(LIMIT, () -> readyGo(p, Duration.ofSeconds(20)));
      assertNotNull(s.goSentAt());
      assertTrue(!Instant.parse(s.goSentAt()).isBefore(before), s.goSentAt());
      assertTrue(s.roundTripNanos() > 0, "round trip " + s.roundTripNanos());
      assertEquals("COMMIT", p.next("go", Duration.ofSeconds(20)).text());
    }
    assertTrue(err.toString().contains("seed sent, clock started"), err.toString());
  }

  @Test
  void prepare_answeredWithSomethingElse_outputFailureAtPrepare() throws Exception {
    try (ProverConversation p = start(script(dir, "old", "read l\necho QUJD\nsleep 20"))) {
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> readyGo(p, Duration.ofSeconds(20))));
      assertEquals(ProverFailure.OUTPUT, f.check());
      assertEquals("prepare", f.step());
      assertTrue(f.getMessage().contains("'validator attest --separate'"), f.getMessage());
    }
  }

  @Test
  void prepare_readyForAnotherChallenge_outputFailureAtPrepare() throws Exception {
    String other = "ready " + MessageCodec.encode(new Ready(1, Hex.encode(new byte[16]), 2));
    try (ProverConversation p = start(script(dir, "other", "read l\necho '" + other
        + "'\nsleep 20"))) {
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> readyGo(p, Duration.ofSeconds(20))));
      assertEquals(ProverFailure.OUTPUT, f.check());
      assertTrue(f.getMessage().contains("another challenge"), f.getMessage());
    }
  }

  @Test
  void prepare_noReadyInTime_timeoutAtPrepare() throws Exception {
    try (ProverConversation p = start(script(dir, "slow", "read l\nsleep 30"))) {
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> readyGo(p, Duration.ofSeconds(1))));
      assertEquals(ProverFailure.TIMEOUT, f.check());
      assertEquals("prepare", f.step());
    }
  }

  @Test
  void ping_noPong_timeoutAtReady() throws Exception {
    try (ProverConversation p = start(script(dir, "mute", "read l\necho '" + readyLine()
        + "'\nread ping\nsleep 30"))) {
      p.send("prepare x");
      p.next("prepare", Duration.ofSeconds(20));
      p.send("ping 00");
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> p.next("ready", Duration.ofSeconds(1))));
      assertEquals(ProverFailure.TIMEOUT, f.check());
      assertEquals("ready", f.step());
    }
  }

  @Test
  void ping_wrongPong_outputFailureAtReady() throws Exception {
    try (ProverConversation p = start(script(dir, "liar", "read l\necho '" + readyLine()
        + "'\nread ping\necho 'pong 00'\nsleep 20"))) {
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> readyGo(p, Duration.ofSeconds(20))));
      assertEquals(ProverFailure.OUTPUT, f.check());
      assertEquals("ready", f.step());
    }
  }

  /**
   * A commitment the validator has read before it sends 'go' was computed before the clock
   * started: refused. (The test sends 'go' itself once the line is in, so nothing is timed.)
   */
  @Test
  void go_commitmentReadBeforeGoIsSent_outputFailureAtGo() throws Exception {
    String early = script(dir, "early", "read prepare\necho '" + readyLine() + "'\nread ping\n"
        + "echo \"pong ${ping#ping }\"\necho COMMIT\nread go\nsleep 20");
    try (ProverConversation p = start(early)) {
      p.send("prepare x");
      assertEquals(readyLine(), p.next("prepare", Duration.ofSeconds(20)).text());
      p.send("ping 00");
      assertEquals("pong 00", p.next("ready", Duration.ofSeconds(20)).text());
      awaitRead(p, 3);
      p.send("go x");
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> p.next("go", Duration.ofSeconds(20))));
      assertEquals(ProverFailure.OUTPUT, f.check());
      assertEquals("go", f.step());
      assertTrue(f.getMessage().contains("before the validator's line it answers was sent"),
          f.getMessage());
    }
  }

  /** A commitment written with the pong, in one write: a second line for one question. */
  @Test
  void go_commitmentWrittenWithThePong_outputFailureAtGo() throws Exception {
    String early = script(dir, "early", "read prepare\necho '" + readyLine() + "'\nread ping\n"
        + "printf 'pong %s\\nCOMMIT\\n' \"${ping#ping }\"\nread go\nsleep 20");
    try (ProverConversation p = start(early)) {
      readyGo(p, Duration.ofSeconds(20));
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> p.next("go", Duration.ofSeconds(20))));
      assertEquals(ProverFailure.OUTPUT, f.check());
      assertEquals("go", f.step());
    }
  }

  /** A second line for one question (here a commitment right after ready) answers nothing. */
  @Test
  void ready_commitmentRightAfterReady_outputFailureAtReady() throws Exception {
    String early = script(dir, "early", "read prepare\necho '" + readyLine() + "'\n"
        + "echo COMMIT\nread ping\necho \"pong ${ping#ping }\"\nread go\necho COMMIT\nsleep 20");
    try (ProverConversation p = start(early)) {
      p.send("prepare x");
      assertEquals(readyLine(), p.next("prepare", Duration.ofSeconds(20)).text());
      awaitRead(p, 2); // the extra line has arrived before the ping goes
      p.send("ping 00");
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> p.next("ready", Duration.ofSeconds(20))));
      assertEquals(ProverFailure.OUTPUT, f.check());
      assertEquals("ready", f.step());
    }
  }

  /** Waits until {@code lines} of the prover's lines have been read, up to 10 s. */
  private static void awaitRead(ProverConversation p, long lines) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (p.linesRead() < lines && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /**
   * A prover that floods its output after its openings: the validator reads it all (the prover
   * never blocks) but keeps at most one line, counted, not timed.
   */
  @Test
  void open_floodAfterTheOpenings_atMostOneLineKept() throws Exception {
    try (ProverConversation p = start(honestUntilGo("echo COMMIT\nread request\necho OPEN\n"
        + "yes"))) {
      readyGo(p, Duration.ofSeconds(20));
      assertEquals("COMMIT", p.next("go", Duration.ofSeconds(20)).text());
      p.send("REQUEST");
      assertEquals("OPEN", p.next("open", Duration.ofSeconds(20)).text());
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (p.linesRead() < 1_000_000 && System.nanoTime() < deadline) {
        assertTrue(p.keptLines() <= 1, "kept " + p.keptLines());
        Thread.sleep(10);
      }
      assertTrue(p.linesRead() >= 1_000_000, "read " + p.linesRead());
      assertTrue(p.keptLines() <= 1, "kept " + p.keptLines());
    }
  }

  @Test
  void go_noCommitmentInTime_timeoutStopsTheProverAndItsChildren() throws Exception {
    Path pid = dir.resolve("child.pid");
    try (ProverConversation p = start(honestUntilGo("sleep 60 & echo $! > '" + pid
        + "'; wait"))) {
      readyGo(p, Duration.ofSeconds(20));
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> p.next("go", Duration.ofSeconds(2))));
      assertEquals(ProverFailure.TIMEOUT, f.check());
      assertEquals("go", f.step());
      assertTrue(goneSoon(awaitPid(pid)), "the prover's child still runs");
    }
  }

  @Test
  void open_proverExitsBeforeTheOpenings_exitFailureAtOpen() throws Exception {
    try (ProverConversation p = start(honestUntilGo("echo COMMIT\nread request\nexit 3"))) {
      readyGo(p, Duration.ofSeconds(20));
      assertEquals("COMMIT", p.next("go", Duration.ofSeconds(20)).text());
      p.send("REQUEST");
      ProverFailure f = assertTimeoutPreemptively(LIMIT, () -> assertThrows(
          ProverFailure.class, () -> p.next("open", Duration.ofSeconds(20))));
      assertEquals(ProverFailure.EXIT, f.check());
      assertEquals("open", f.step());
      assertTrue(f.getMessage().contains("exited with code 3"), f.getMessage());
    }
  }

  @Test
  void open_proverEndsItsOutputWithExit0_outputFailure() throws Exception {
    try (ProverConversation p = start(honestUntilGo("echo COMMIT\nread request\nexit 0"))) {
      readyGo(p, Duration.ofSeconds(20));
      p.next("go", Duration.ofSeconds(20));
      p.send("REQUEST");
      ProverFailure f = assertThrows(ProverFailure.class,
          () -> p.next("open", Duration.ofSeconds(20)));
      assertEquals(ProverFailure.OUTPUT, f.check());
      assertTrue(f.getMessage().contains("ended its output without answering"),
          f.getMessage());
    }
  }
}
