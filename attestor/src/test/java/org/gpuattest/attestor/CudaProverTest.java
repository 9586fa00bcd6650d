package org.gpuattest.attestor;

import static org.gpuattest.attestor.ProverTest.KEY;
import static org.gpuattest.attestor.ProverTest.challenge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prover on the CUDA backend over a fake driver: all GPUs between the barriers, and a GPU
 * failing mid-run stops the run with one line naming it, keeps no state and leaves nothing
 * allocated on any GPU.
 */
class CudaProverTest {
  @TempDir Path state;

  @Test
  void prove_twoFakeGpus_commitsAndGivesEverythingBack() throws Exception {
    CudaFakes.Watched w = CudaFakes.faulting(2, 1L << 30, 0, Integer.MAX_VALUE);
    Commitment c = new Prover(w.backend(), KEY, new PrintWriter(new StringWriter()),
        Clock.systemUTC()).prove(challenge(64, 5, 2, Instant.now()), List.of(), state);
    assertEquals("cuda", c.devices().get(1).backend());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, w.live().get());
  }

  @Test
  void prove_gpuFaultsMidRun_failsNamingItAndFreesBothGpus() throws Exception {
    // GPU 1: the tensor-core probe's 3 launches, B fill, two iterations of four kernels, then
    // a fault in the third.
    CudaFakes.Watched w = CudaFakes.faulting(2, 1L << 30, 1, 13);
    BackendException e = assertThrows(BackendException.class, () -> new Prover(w.backend(),
        KEY, new PrintWriter(new StringWriter()), Clock.systemUTC())
        .prove(challenge(64, 6, 2, Instant.now()), List.of(), state));
    assertTrue(e.getMessage().startsWith("cuda device 1 (Fake GPU 1, GPU-"), e.getMessage());
    assertTrue(e.getMessage().contains("CUDA_ERROR_719"), e.getMessage());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, w.live().get());
    try (var files = Files.list(state)) {
      assertEquals(List.of(), files.toList(), "no state is kept for a failed run");
    }
  }
}
