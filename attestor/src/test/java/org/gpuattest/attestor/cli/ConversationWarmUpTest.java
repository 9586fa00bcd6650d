package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.challenge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gpuattest.attestor.ClockedWork;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up before 'ready' (issue 19, A1; docs/protocol.md §3.2), by counting rather than
 * timing: every piece of the prover's CPU work that runs between 'go' and the commitment
 * ({@link ClockedWork}) must already have run in this conversation's warm-up, before 'ready' was
 * sent. The counts are read at three moments of one conversation with the CPU backend: before
 * 'prepare', when 'ready' arrives (the prover then waits for the next line, so they stand
 * still), and when the commitment arrives.
 */
class ConversationWarmUpTest {
  @TempDir Path dir;

  @Test
  void conversation_everyPieceRunAfterGo_ranInTheWarmUpBeforeReady() throws Exception {
    Ed25519PrivateKey validator = Ed25519PrivateKey.generate(new SecureRandom());
    Path pub = Files.writeString(dir.resolve("v.pub.pem"), validator.publicKey().toPem());
    Path state = dir.resolve("state");
    // n = 192: above the throwaway devices' n (128), so the spot check at the real n is its own
    // step of the warm-up, apart from the throwaway devices' spot check.
    Challenge c = challenge(192, 3, 2, 2).signedBy(validator);
    StringWriter err = new StringWriter();
    PipedOutputStream stdin = new PipedOutputStream();
    BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    PipedInputStream in = new PipedInputStream(stdin, 1 << 20);
    String[] args = {"prove", "--conversation", "--backend", "cpu", "--state", state.toString(),
        "--validator-key", pub.toString()};
    Map<String, Long> before = ClockedWork.counts();
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> AttestorCli.run(args,
        in, new PrintWriter(new LineWriter(stdout)), new PrintWriter(err), AttestorCliHarness.NO_GPU,
        AttestorCliHarness.NO_CONFIG));

    send(stdin, "prepare " + MessageCodec.encode(Preparation.of(c)));
    assertTrue(answer(stdout, err).startsWith("ready "), err::toString);
    Map<String, Long> atReady = ClockedWork.counts();
    try (Stream<Path> left = Files.list(state)) {
      assertEquals(List.of(), left.toList(), "the warm-up leaves nothing in the state folder");
    }
    send(stdin, "go " + MessageCodec.encode(c));
    Commitment commitment = MessageCodec.decode("commitment", answer(stdout, err),
        Commitment.class).value();
    Map<String, Long> afterGo = ClockedWork.counts();

    Map<String, Long> warmUp = since(before, atReady);
    Map<String, Long> onTheClock = since(atReady, afterGo);
    assertTrue(onTheClock.keySet().containsAll(List.of(ClockedWork.DECODE, ClockedWork.CHECK,
        ClockedWork.DEVICE_RUN, ClockedWork.spotCheck(192), ClockedWork.REPORTS, ClockedWork.SIGN,
        ClockedWork.STATE, ClockedWork.ENCODE)), () -> "pieces counted after go: " + onTheClock);
    assertTrue(onTheClock.keySet().stream().anyMatch(k -> k.endsWith("cpu.CpuDevice")),
        () -> "the CPU backend's own code is counted after go: " + onTheClock);
    for (String piece : onTheClock.keySet()) {
      assertTrue(warmUp.containsKey(piece), () -> "'" + piece + "' ran after go but not"
          + " before ready; before ready: " + warmUp);
    }

    // The warm-up changes no result, and the commitment reports the prover's CPU time.
    for (int g = 0; g < 2; g++) {
      assertEquals(Hex.encode(Reference.deviceRoot(Reference.matrixRoots(c.philoxKey(), g, 192,
          3))), commitment.devices().get(g).root());
    }
    assertNotNull(commitment.proverCpuNanos());
    assertTrue(commitment.proverCpuNanos() >= 0);
    send(stdin, MessageCodec.encode(new OpeningRequest(1, commitment.challengeDigest(),
        commitment.commitmentDigest(), List.of(new Sample(1, 2, 63)))));
    answer(stdout, err);
    assertEquals(ExitCodes.OK, code.get(60, TimeUnit.SECONDS), err::toString);
    String text = err.toString();
    assertTrue(text.indexOf("attestor: warmed up the CPU work after go in ")
        < text.indexOf("attestor: ready: "), text);
    assertTrue(text.contains("attestor: CPU work on the clock: "), text);
    try (Stream<Path> kept = Files.list(state)) {
      assertEquals(List.of(commitment.commitmentDigest()),
          kept.map(p -> p.getFileName().toString()).toList(), "only the real state is kept");
    }
  }

  /**
   * The same for the memory phase (docs/protocol.md §2.2): the seed's decoding, the passes on
   * the CPU device's own code, the signing and the encoding of the memory roots, all on the
   * validator's memory clock, ran before ready too.
   */
  @Test
  void conversation_withMemory_everyPieceOfTheMemoryPhase_ranInTheWarmUpBeforeReady()
      throws Exception {
    java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Challenge c = new Challenge(1, Hex.encode(AttestorCliHarness.random(16)),
        Hex.encode(AttestorCliHarness.random(32)), 128, 3, 2, AttestorCliHarness.MODEL,
        now.minusSeconds(60).toString(), now.plusSeconds(600).toString(), 2,
        new org.gpuattest.common.message.ChallengeMemory(1, 2, 4), null, null);
    Map<String, Long> before = ClockedWork.counts();
    try (LiveProver p = new LiveProver(dir)) {
      LiveProver.ready(p, c);
      Map<String, Long> atReady = ClockedWork.counts();
      p.send("go " + MessageCodec.encode(c));
      Commitment commitment = MessageCodec.decode("commitment", p.answer(), Commitment.class)
          .value();
      p.send("memory " + MessageCodec.encode(new org.gpuattest.common.message.MemorySeed(1,
          commitment.commitmentDigest(), Hex.encode(AttestorCliHarness.random(32)))));
      p.answer();
      Map<String, Long> afterMemory = ClockedWork.counts();
      Map<String, Long> warmUp = since(before, atReady);
      Map<String, Long> onTheClock = since(atReady, afterMemory);
      assertTrue(onTheClock.keySet().containsAll(List.of(ClockedWork.MEMORY_DECODE,
          ClockedWork.MEMORY_RUN, ClockedWork.MEMORY_SIGN, ClockedWork.MEMORY_ENCODE)),
          () -> "pieces counted after go: " + onTheClock);
      assertTrue(onTheClock.keySet().stream().anyMatch(k -> k.startsWith("memory pass code")
          && k.endsWith("cpu.CpuDevice")), () -> "the device's pass code: " + onTheClock);
      for (String piece : onTheClock.keySet()) {
        assertTrue(warmUp.containsKey(piece), () -> "'" + piece + "' ran after go but not"
            + " before ready; before ready: " + warmUp);
      }
    }
  }

  /** Pieces counted in {@code to} more often than in {@code from}, with how many more. */
  private static Map<String, Long> since(Map<String, Long> from, Map<String, Long> to) {
    Map<String, Long> out = new TreeMap<>();
    to.forEach((k, v) -> {
      long more = v - from.getOrDefault(k, 0L);
      if (more > 0) {
        out.put(k, more);
      }
    });
    return out;
  }

  private static void send(OutputStream stdin, String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    stdin.flush();
  }

  private static String answer(BlockingQueue<String> stdout, StringWriter err)
      throws InterruptedException {
    String line = stdout.poll(120, TimeUnit.SECONDS);
    assertNotNull(line, () -> "no answer; stderr: " + err);
    return line;
  }
}
