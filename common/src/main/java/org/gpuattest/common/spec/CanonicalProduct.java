package org.gpuattest.common.spec;

import java.util.Arrays;
import org.gpuattest.common.cpu.CanonicalKernel;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.common.cpu.PackedPanel;

/**
 * The product of canonical-v1, section "Product": each C[i][j] is the fused-multiply-add chain
 * acc = +0.0; for k = 0..n-1: acc = fma(A[i][k], B[k][j], acc), in ascending k.
 *
 * <p>Design: {@link Math#fma} is IEEE 754 fusedMultiplyAdd with round to nearest even, the
 * same operation as the GPU's DFMA and (per k-step of four, as measured on H100) its FP64
 * tensor-core mma. {@link #element} is that definition, one element at a time: the oracle every
 * faster form is tested against. {@link #multiply} runs the JVM's chosen {@link CanonicalKernel}
 * ({@link CpuKernels}), which blocks over i, j and k without changing any element's chain.
 */
public final class CanonicalProduct {
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
    multiply(a, aOff, rows, pack(b, n), c, cOff);
  }

  /** B (n x n) laid out for this JVM's kernel: pack once, multiply many row blocks by it. */
  public static PackedPanel pack(double[] b, int n) {
    return CpuKernels.get().product().pack(b, 0, n, n);
  }

  /** C[r][*] = A[r][*] x B for a B from {@link #pack}; a and c row-major with row length n. */
  public static void multiply(double[] a, int aOff, int rows, PackedPanel b, double[] c,
      int cOff) {
    int n = b.columns();
    if (b.rows() != n) {
      throw new IllegalArgumentException("B must be square: " + b.rows() + " x " + n);
    }
    Arrays.fill(c, cOff, cOff + rows * n, 0.0); // +0.0, the chain's start value
    CpuKernels.get().product().accumulate(a, aOff, n, rows, b, c, cOff, n);
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
