package org.gpuattest.common.spec;

import org.gpuattest.common.cpu.CpuKernels;

/**
 * The element mapping of canonical-v1, section "Philox4x32-10": operand A of device g and
 * iteration t takes element e (row-major, e = i*n + j) from the Philox block with counter
 * (e >> 1, t, g, 0); operand B of device g from counter (e >> 1, 0, g, 1). A block gives two
 * elements: even e uses u = x1 << 32 | x0, odd e uses u = x3 << 32 | x2, and the element is
 * (u >>> 11) * 2^-52 - 1.0, an exact binary64 in [-1, 1).
 */
public final class Operands {
  private static final double TWO_POW_MINUS_52 = 0x1.0p-52;

  private Operands() {}

  /** The element for the 64-bit word u; exact, since (u >>> 11) has 53 bits. */
  public static double element(long u) {
    return (u >>> 11) * TWO_POW_MINUS_52 - 1.0;
  }

  /** Row i of A(g, t), n elements, into out[off..off+n). */
  public static void rowA(PhiloxKey key, int g, int t, int n, int i, double[] out, int off) {
    fill(key, (long) i * n, n, t, g, 0, out, off);
  }

  /** Row k of B(g), n elements, into out[off..off+n). */
  public static void rowB(PhiloxKey key, int g, int n, int k, double[] out, int off) {
    fill(key, (long) k * n, n, 0, g, 1, out, off);
  }

  /**
   * The memory phase's vector v_p (docs/protocol.md §2.2): element j from the block with counter
   * (j >> 1, 0, 0, 2) under the pass's own key, by the same u-to-element rule as A and B; n
   * even. The last counter word 2 keeps it apart from A (0) and B (1) even under one key.
   */
  public static double[] memoryVector(PhiloxKey passKey, int n) {
    double[] v = new double[n];
    fill(passKey, 0, n, 0, 0, 2, v, 0);
    return v;
  }

  /** All of A(g, t), row-major n*n. */
  public static double[] matrixA(PhiloxKey key, int g, int t, int n) {
    double[] a = new double[n * n];
    fill(key, 0, n * n, t, g, 0, a, 0);
    return a;
  }

  /** All of B(g), row-major n*n. */
  public static double[] matrixB(PhiloxKey key, int g, int n) {
    double[] b = new double[n * n];
    fill(key, 0, n * n, 0, g, 1, b, 0);
    return b;
  }

  /** One element, from first principles; for tests, golden vectors and the spec CLI. */
  public static double elementA(PhiloxKey key, int g, int t, int n, int i, int j) {
    double[] one = new double[2];
    long e = (long) i * n + j;
    fill(key, e & ~1L, 2, t, g, 0, one, 0);
    return one[(int) (e & 1)];
  }

  public static double elementB(PhiloxKey key, int g, int n, int k, int j) {
    double[] one = new double[2];
    long e = (long) k * n + j;
    fill(key, e & ~1L, 2, 0, g, 1, one, 0);
    return one[(int) (e & 1)];
  }

  /**
   * Elements first..first+count (first and count even) with counter words c1, c2, c3, by the
   * CPU kernels' operand fill (vectorized where enabled; the same bits as the scalar form,
   * which {@code OperandsTest} checks against {@link Philox4x32#block} one block at a time).
   */
  private static void fill(
      PhiloxKey key, long first, int count, int c1, int c2, int c3, double[] out, int off) {
    CpuKernels.get().operands().fill(key.k0(), key.k1(), first, count, c1, c2, c3, out, off);
  }
}
