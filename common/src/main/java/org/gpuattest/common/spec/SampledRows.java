package org.gpuattest.common.spec;

/**
 * Rows of C(g, t) for several (t, i) of one device, computed the way a validator can afford:
 * B(g) is generated one row at a time and streamed past all sampled rows, so memory is
 * O(rows x n) rather than O(n^2), and each element is still the spec's ascending-k FMA chain
 * (canonical-v1, "Product"; "Opening and checking").
 */
public final class SampledRows {
  private SampledRows() {}

  /** Heap that {@link #compute} takes for {@code rows} rows of size n: A rows, C rows, a B row. */
  public static long bytesFor(long rows, int n) {
    return (2 * rows + 1) * n * (long) Double.BYTES;
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
    double[] bRow = new double[n];
    for (int k = 0; k < n; k++) {
      Operands.rowB(key, g, n, k, bRow, 0);
      for (int r = 0; r < s; r++) {
        CanonicalProduct.axpy(a[r * n + k], bRow, 0, c, r * n, 0, n);
      }
    }
    return c;
  }
}
