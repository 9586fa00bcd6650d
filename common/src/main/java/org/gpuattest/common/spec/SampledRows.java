package org.gpuattest.common.spec;

import org.gpuattest.common.cpu.CanonicalKernel;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.common.cpu.PackedPanel;

/**
 * Rows of C(g, t) for several (t, i) of one device, computed the way a validator can afford:
 * B(g) is generated {@link #B_ROWS} rows at a time and each block is streamed past all sampled
 * rows at once, so memory is O(rows x n) rather than O(n^2), B(g) is generated once per device
 * however many rows are sampled, and each element is still the spec's ascending-k FMA chain
 * (canonical-v1, "Product"; "Opening and checking"), carried in C from one block to the next.
 */
public final class SampledRows {
  /** Rows of B(g) per block: the CPU kernel's own k-block, so a block is packed once per use. */
  static final int B_ROWS = 128;

  private SampledRows() {}

  /**
   * Heap that {@link #compute} takes for {@code rows} rows of size n: A rows and C rows, one
   * row of B, a packed block of B rows (two where the last block is shorter), and the kernel's
   * k-major copy of A for one block.
   */
  public static long bytesFor(long rows, int n) {
    long block = Math.min(B_ROWS, n);
    return (2 * rows * n + n + 2 * block * n + rows * block) * (long) Double.BYTES;
  }

  /**
   * @param iterations t of each sampled row
   * @param rows i of each sampled row
   * @return rows.length x n elements, row-major, in the order given
   */
  public static double[] compute(PhiloxKey key, int g, int n, int[] iterations, int[] rows) {
    if (iterations.length != rows.length) {
      throw new IllegalArgumentException(
          "iterations and rows differ in length: " + iterations.length + " vs " + rows.length);
    }
    int s = rows.length;
    double[] a = new double[s * n];
    for (int r = 0; r < s; r++) {
      Operands.rowA(key, g, iterations[r], n, rows[r], a, r * n);
    }
    double[] c = new double[s * n]; // +0.0, the chain's start value
    CanonicalKernel kernel = CpuKernels.get().product();
    double[] bRow = new double[n];
    PackedPanel panel = null;
    for (int k0 = 0; k0 < n; k0 += B_ROWS) {
      int kn = Math.min(B_ROWS, n - k0);
      if (panel == null || panel.rows() != kn) {
        panel = kernel.panel(kn, n); // once, and once more for a shorter last block
      }
      for (int k = 0; k < kn; k++) {
        Operands.rowB(key, g, n, k0 + k, bRow, 0);
        panel.putRow(k, bRow, 0);
      }
      kernel.accumulate(a, k0, n, s, panel, c, 0, n);
    }
    return c;
  }
}
