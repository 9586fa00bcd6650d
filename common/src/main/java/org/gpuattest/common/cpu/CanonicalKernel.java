package org.gpuattest.common.cpu;

/**
 * A CPU form of the canonical-v1 product (docs/protocol.md, "Product"): each C[i][j] is the
 * FMA chain over k in ascending order, started at +0.0. Implementations may compute elements
 * in any order and block over i, j and k, because none of that changes one element's chain:
 * a k-block continues the chain from the value C holds, which is exact (C is binary64, as the
 * accumulator is). What they may not do is split, reorder or widen a chain.
 *
 * <p>Two implementations exist: {@link ScalarKernel}, plain Java, and a Vector API kernel used
 * where the JDK's incubator module is enabled; {@link CpuKernels} chooses. Both are tested bit
 * for bit against {@code CanonicalProduct.element}, the one-element definition.
 */
public interface CanonicalKernel {
  /** A short name for logs and benchmarks, e.g. "scalar 4x4" or "vector 512-bit 4x32". */
  String name();

  /** An empty panel of kn rows and n columns laid out for this kernel; fill it by rows. */
  PackedPanel panel(int kn, int n);

  /** Lays out rows [0, kn) of a row-major kn x n block of B, starting at b[off], for this kernel. */
  default PackedPanel pack(double[] b, int off, int kn, int n) {
    PackedPanel p = panel(kn, n);
    for (int k = 0; k < kn; k++) {
      p.putRow(k, b, off + k * n);
    }
    return p;
  }

  /**
   * Continues the chains of {@code rows} rows of C over the panel's kn values of k: for each
   * row r and column j, for k = 0..kn-1 in order, C[r][j] = fma(A[r][k], B[k][j], C[r][j]).
   *
   * @param a A[r][k] is a[aOff + r * aStride + k]
   * @param c C[r][j] is c[cOff + r * cStride + j]; read and overwritten
   */
  void accumulate(double[] a, int aOff, int aStride, int rows, PackedPanel b, double[] c,
      int cOff, int cStride);
}
