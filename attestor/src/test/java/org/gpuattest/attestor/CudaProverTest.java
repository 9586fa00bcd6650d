package org.gpuattest.attestor;

import static org.gpuattest.attestor.ProverTest.KEY;
import static org.gpuattest.attestor.ProverTest.challenge;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prover on the CUDA backend on two emulated H100s, which run the shipped PTX: all GPUs
 * between the barriers, each committing canonical-v1's roots, and everything given back. (A
 * GPU faulting mid-run, on emulated GPUs too: EmulatedGpuCliTest.)
 */
class CudaProverTest {
  @TempDir Path state;

  @Test
  void prove_twoEmulatedGpus_commitsCanonicalRootsAndGivesEverythingBack() throws Exception {
    EmulatedGpus.Watched w = EmulatedGpus.watched(2);
    MessageCodec.Decoded<Challenge> c = challenge(64, 2, 2, Instant.now());
    Commitment commitment = new Prover(w.backend(), KEY, new PrintWriter(new StringWriter()),
        Clock.systemUTC()).prove(c, List.of(), state);
    for (int g = 0; g < 2; g++) {
      assertEquals("cuda", commitment.devices().get(g).backend());
      assertEquals(Hex.encode(Reference.deviceRoot(Reference.matrixRoots(
          c.value().philoxKey(), g, 64, 2))), commitment.devices().get(g).root(), "R(" + g + ")");
    }
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, w.live().get());
  }
}
