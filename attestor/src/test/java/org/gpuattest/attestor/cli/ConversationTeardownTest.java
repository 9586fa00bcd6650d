package org.gpuattest.attestor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freeing the GPUs is no part of the timed work (docs/protocol.md §3.2, §8.3 checks 15 and
 * 20): the validator's clock stops when the commitment, or the memory roots, arrive, and a
 * context's teardown with gigabytes of kept products, G GPUs one after another, is not in any
 * allowance. So the conversation sends each answer while its GPUs are still held, and frees
 * them after: counted, not timed, by what the emulated driver still holds at the moment each
 * answer line is written (on the prover's own thread).
 */
class ConversationTeardownTest {
  @TempDir Path dir;

  /** Stdout lines, each with what the driver held when the prover wrote it. */
  private record Line(String text, String heldWhenWritten) {}

  private static Challenge challenge(ChallengeMemory memory) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Challenge(1, Hex.encode(AttestorCliHarness.random(16)),
        Hex.encode(AttestorCliHarness.random(32)), 64, 2, 2, EmulatedGpus.MODEL,
        now.minusSeconds(60).toString(), now.plusSeconds(600).toString(), 2, memory, null,
        null);
  }

  @Test
  void conversation_commitment_sentBeforeTheGpusAreFreed() throws Exception {
    run(challenge(null));
  }

  @Test
  void conversation_memoryRoots_sentBeforeTheGpusAreFreed() throws Exception {
    run(challenge(new ChallengeMemory(1, 1, 2)));
  }

  private void run(Challenge c) throws Exception {
    EmulatedGpus.Watched gpus = EmulatedGpus.watched(2);
    BlockingQueue<Line> stdout = new LinkedBlockingQueue<>();
    StringWriter err = new StringWriter();
    PipedOutputStream stdin = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(stdin, 1 << 20);
    String[] args = {"prove", "--conversation", "--backend", "cuda", "--state",
        dir.resolve("state").toString()};
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> AttestorCli.run(args,
        in, new PrintWriter(new LineWriter(
            text -> stdout.add(new Line(text, gpus.live().get())))), new PrintWriter(err),
        w -> gpus.backend(), AttestorCliHarness.NO_CONFIG));

    send(stdin, "prepare " + MessageCodec.encode(Preparation.of(c)));
    assertTrue(answer(stdout, err).text().startsWith("ready "), err::toString);
    send(stdin, "go " + MessageCodec.encode(c));
    Line committed = answer(stdout, err);
    Commitment commitment = MessageCodec.decode("commitment", committed.text(),
        Commitment.class).value();
    if (c.memory() != null) {
      send(stdin, "memory " + MessageCodec.encode(new MemorySeed(1,
          commitment.commitmentDigest(), Hex.encode(AttestorCliHarness.random(32)))));
    }
    Line last = c.memory() == null ? committed : answer(stdout, err);
    assertTrue(last.heldWhenWritten().endsWith("contexts=2"), () -> "the last timed answer"
        + " was written after its GPUs were given back: " + last.heldWhenWritten());
    assertNotEquals(CudaFakes.Watched.NOTHING_LIVE, last.heldWhenWritten());
    send(stdin, MessageCodec.encode(new OpeningRequest(1, commitment.challengeDigest(),
        commitment.commitmentDigest(), List.of(new Sample(1, 1, 7)))));
    answer(stdout, err);
    assertEquals(ExitCodes.OK, code.get(120, TimeUnit.SECONDS), err::toString);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, gpus.live().get(), "all given back at the end");
  }

  private static void send(PipedOutputStream stdin, String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    stdin.flush();
  }

  private static Line answer(BlockingQueue<Line> stdout, StringWriter err)
      throws InterruptedException {
    Line line = stdout.poll(120, TimeUnit.SECONDS);
    assertNotNull(line, () -> "no answer; stderr: " + err);
    return line;
  }
}
