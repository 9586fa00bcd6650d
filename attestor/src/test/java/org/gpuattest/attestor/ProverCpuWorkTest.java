package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gpuattest.common.cpu.CpuWork;
import org.junit.jupiter.api.Test;

/**
 * The CPU work a prover declares for its kernel choice (CpuKernels.forWork, CpuWork): the spot
 * check's rows with their B(g) and rows of A on every backend, and on the CPU backend every
 * product of every iteration of every device as well, with its A(g, t) and B(g).
 */
class ProverCpuWorkTest {
  private static final long CHECKED_ROWS_PER_DEVICE =
      ResultCheck.ITERATIONS_PER_DEVICE * ResultCheck.ROWS_PER_ITERATION;

  @Test
  void cpuWork_cpuBackend_isEveryProductAndTheSpotCheck() {
    // scripts/demo.sh without a GPU: 2 devices, T = 4, n = 128.
    long n = 128;
    long checked = 2 * CHECKED_ROWS_PER_DEVICE;
    long rows = 2 * 4 * n + checked;
    long operands = 2 * n * n + checked * n + 2 * n * n + 2 * 4 * n * n;
    assertEquals(CpuWork.of(rows, 128, operands), Prover.cpuWork(true, 2, 4, 128));
  }

  @Test
  void cpuWork_gpuBackend_isTheSpotCheckAlone() {
    long n = 8192;
    long checked = 8 * CHECKED_ROWS_PER_DEVICE;
    assertEquals(CpuWork.of(checked, 8192, 8 * n * n + checked * n),
        Prover.cpuWork(false, 8, 1000, 8192));
  }
}
