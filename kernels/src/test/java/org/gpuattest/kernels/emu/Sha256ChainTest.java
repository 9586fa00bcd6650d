package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;
import org.junit.jupiter.api.Test;

/**
 * The row hash's dependency chain per SHA-256 compression in the shipped PTX (sha256.cuh: each
 * round's new a and e five dependent instructions after the old ones, so at most 5 x 64 and
 * the final add), counted by {@link DependencyChains} with unit latencies as the difference
 * between rows of 128 and 64 elements (8 more compressions). Before issue 23 it was 513.
 */
class Sha256ChainTest {
  private static long[] row(int n) throws Exception {
    ShippedKernels s = ShippedKernels.shipped();
    long c = s.allocate(8L * KernelGeometry.ROW_HASH_THREADS * n, (byte) 0);
    long leaves = s.allocate(32L * KernelGeometry.ROW_HASH_THREADS, (byte) 0);
    DependencyChains d = new DependencyChains(DependencyChains.Latencies.unit());
    Launch.run(s.entry(Kernel.ROW_HASH), Dim3.of(1), KernelGeometry.rowHashBlock(), 0,
        new long[] {c, n, leaves}, s.memory(), ShippedKernels.GPU, 0, 1, false, d);
    return new long[] {d.longestChain(), d.mostWarpIssues()};
  }

  @Test
  void chain_perCompression_atMostFiveInstructionsARound() throws Exception {
    long[] at64 = row(64);
    long[] at128 = row(128);
    long chain = at128[0] - at64[0];
    long issues = at128[1] - at64[1];
    assertEquals(0, chain % 8, "8 more compressions");
    assertTrue(chain / 8 <= 5 * 64 + 1, "dependent PTX instructions per compression: "
        + chain / 8);
    assertEquals(2259, issues / 8, "warp-instructions per compression");
  }
}
