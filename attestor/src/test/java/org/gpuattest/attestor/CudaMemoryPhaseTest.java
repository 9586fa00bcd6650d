package org.gpuattest.attestor;

import static org.gpuattest.attestor.ProverTest.KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryOpening;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory phase through the CUDA backend on two emulated GPUs, which run the shipped PTX
 * (memory_pass.ptx included) on the PTX interpreter with its sanitizer (docs/protocol.md §2.2): prepared with the memory terms (the kept products allocated
 * before ready, and the warm-up's memory passes on the prepared GPUs), the run writes the kept
 * products in place, the memory line's passes give canonical-v1's memory roots, an opening's
 * element is the definition's, and every GPU is given back afterwards.
 */
class CudaMemoryPhaseTest {
  @TempDir Path state;

  @Test
  void memoryPhase_emulatedGpus_givesTheCanonicalRootsAndFreesEverything() throws Exception {
    EmulatedGpus.Watched w = EmulatedGpus.watched(2);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    int n = 128;
    Challenge c = new Challenge(1, Hex.encode(new byte[16]), Hex.encode(new byte[32]), n, 4, 2,
        EmulatedGpus.MODEL, now.minusSeconds(1).toString(), now.plusSeconds(600).toString(), 8,
        new ChallengeMemory(1, 2, 3), null, null);
    MessageCodec.Decoded<Challenge> decoded = MessageCodec.decode("c", MessageCodec.encode(c),
        Challenge.class);
    Prover prover = new Prover(w.backend(), KEY, new PrintWriter(new StringWriter()),
        Clock.systemUTC());
    byte[] seed = new byte[32];
    seed[3] = 9;
    MemoryRoots roots;
    Commitment commitment;
    try (PreparedRun run = prover.prepare(Preparation.of(c), List.of(), state, true)) {
      run.warmUp();
      commitment = run.run(decoded);
      roots = run.memory(MessageCodec.encode(new MemorySeed(1, commitment.commitmentDigest(),
          Hex.encode(seed))));
      for (int g = 0; g < 2; g++) {
        double[] b = Operands.matrixB(c.philoxKey(), g, n);
        List<double[]> kept = List.of(Reference.matrix(c.philoxKey(), g, 2, n, b),
            Reference.matrix(c.philoxKey(), g, 3, n, b));
        byte[] previous = commitment.devices().get(g).rootBytes();
        for (int p = 0; p < 3; p++) {
          byte[] m = MemoryPass.memoryRoot(MemoryPass.vectorRoots(kept, n,
              MemoryPass.vector(seed, g, p, previous, n)));
          assertArrayEquals(m, roots.devices().get(g).root(p), "m_" + p + "(" + g + ")");
          previous = m;
        }
      }
      Openings o = new Opener(w.backend()).open(new OpeningRequest(1,
          commitment.challengeDigest(), commitment.commitmentDigest(),
          List.of(new Sample(1, 3, 100, 2))), run.state());
      MemoryOpening element = o.openings().get(0).memory();
      double[] row = Reference.matrix(c.philoxKey(), 1, 3, n,
          Operands.matrixB(c.philoxKey(), 1, n));
      double y = MemoryPass.dot(row, 100 * n, n, MemoryPass.vector(seed, 1, 2,
          roots.devices().get(1).root(1), n));
      assertEquals(MemoryOpening.bits(y), element.value());
    }
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, w.live().get());
    assertTrue(roots.signature().length() > 0);
  }
}
