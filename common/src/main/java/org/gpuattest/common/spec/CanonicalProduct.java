package org.gpuattest.common.spec;

/**
 * The product of canonical-v1, section "Product": each C[i][j] is the fused-multiply-add chain
 * acc = +0.0; for k = 0..n-1: acc = fma(A[i][k], B[k][j], acc), in ascending k.
 *
 * <p>Design: {@link Math#fma} is IEEE 754 fusedMultiplyAdd with round to nearest even, the
 * same operation as the GPU's DFMA and (per k-step of four, as measured on H100) its FP64
 * tensor-core mma. Blocking over i and j is allowed because it never changes the order in
 * which one element's chain visits k; blocking over k keeps k ascending by visiting k-blocks in
 * order with the accumulator carried in C. The tile sizes keep a B tile in L2 (kTile x jTile x
 * 8 bytes = 256 KiB) and a C row segment in L1.
 */
public final class CanonicalProduct {
  private static final int J_TILE = 256;
  private static final int K_TILE = 128;

  private CanonicalProduct() {}

  /**
   * C[r][*] = A[r][*] x B for rows r in [0, rows), all row-major with row length n.
   *
   * @param a rows x n elements of A
   * @param b n x n elements of B
   * @param c receives rows x n elements; overwritten
   */
  public static void multiply(double[] a, int rows, double[] b, int n, double[] c) {
    multiply(a, 0, rows, b, n, c, 0);
  }

  /** As {@link #multiply(double[], int, double[], int, double[])} on a slice of rows. */
  public static void multiply(
      double[] a, int aOff, int rows, double[] b, int n, double[] c, int cOff) {
    java.util.Arrays.fill(c, cOff, cOff + rows * n, 0.0); // +0.0, the chain's start value
    for (int j0 = 0; j0 < n; j0 += J_TILE) {
      int j1 = Math.min(n, j0 + J_TILE);
      for (int k0 = 0; k0 < n; k0 += K_TILE) {
        int k1 = Math.min(n, k0 + K_TILE);
        for (int r = 0; r < rows; r++) {
          int ar = aOff + r * n;
          int cr = cOff + r * n;
          for (int k = k0; k < k1; k++) {
            axpy(a[ar + k], b, k * n, c, cr, j0, j1);
          }
        }
      }
    }
  }

  /** One k-step for a row segment: c[j] = fma(alpha, b[j], c[j]) for j in [j0, j1). */
  static void axpy(double alpha, double[] b, int bRow, double[] c, int cRow, int j0, int j1) {
    for (int j = j0; j < j1; j++) {
      c[cRow + j] = Math.fma(alpha, b[bRow + j], c[cRow + j]);
    }
  }

  /** The plain definition, one element at a time; the model the blocked form is tested against. */
  public static double element(double[] a, int aRow, double[] b, int n, int j) {
    double acc = 0.0;
    for (int k = 0; k < n; k++) {
      acc = Math.fma(a[aRow + k], b[k * n + j], acc);
    }
    return acc;
  }
}
