package org.gpuattest.common.cpu;

import java.util.Locale;

/**
 * How much CPU work a command does, for the choice between the plain and the vector kernel
 * ({@link CpuKernels#forWork}), in FLOP-equivalents: the products' FLOPs (2 per fused
 * multiply-add: a row of A times an n x n B is 2 n^2) plus {@link #FLOPS_PER_OPERAND} for each
 * Philox operand element generated (canonical-v1, "Operands"). Each term is weighed by what the
 * vector kernel saves on it once compiled, so that one threshold, {@link #VECTOR_MIN}, says when
 * those savings repay the vector kernel's warm-up.
 *
 * <p>Both constants are provisional, estimated from issue 9's figures on a 2-core machine with
 * JDK 17 (docs/benchmarks.md, "CPU kernels"), and are to be fixed by the whole-process
 * measurements of docs/benchmarks.md, "Kernel choice".
 */
public final class CpuWork {
  /**
   * The work from which a fresh JVM finishes a whole command sooner on the vector kernel than
   * on the plain one. Below it the vector kernel's warm-up (Vector API operations run boxed
   * until C2 has compiled them, and the compile takes a good part of a second) costs more than
   * its speed saves. Estimated at 8 GFLOP: 460 rows at n = 2048 (3.9 GFLOP of products and 5 M
   * operands, 4.2 GFLOP of work) took 0.78 s on the vector kernel's first call and 0.51 s on
   * the plain one, and warm the vector kernel saves about 0.07 ns a FLOP (44 against 11
   * GFLOP/s), so about 4 GFLOP more work repays the 0.27 s.
   */
  public static final long VECTOR_MIN = 8_000_000_000L;

  /**
   * What one generated operand element weighs against one FLOP of products: the vector fill
   * saves about 4.6 ns an element (357 against 136 M elements/s), 64 times the 0.07 ns the
   * vector product saves a FLOP. It matters where B(g) is made for many devices and few of its
   * rows are used: 'validator verify' at G = 8 makes 8 n^2 operands for K rows in all.
   */
  public static final long FLOPS_PER_OPERAND = 64;

  private CpuWork() {}

  /**
   * The work of {@code rows} rows of canonical products with an n x n B and of generating
   * {@code operands} operand elements; saturates at {@link Long#MAX_VALUE}.
   */
  public static long of(long rows, int n, long operands) {
    if (rows < 0 || n < 0 || operands < 0) {
      throw new IllegalArgumentException("rows, n and operands must be at least 0: " + rows
          + ", " + n + ", " + operands);
    }
    try {
      return Math.addExact(Math.multiplyExact(Math.multiplyExact(2, rows), (long) n * n),
          Math.multiplyExact(FLOPS_PER_OPERAND, operands));
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // more than any process does: as good as infinite
    }
  }

  /** "34 MFLOP", "4.2 GFLOP", "31 GFLOP", as the kernel lines print work. */
  public static String format(long work) {
    double g = work / 1e9;
    if (g < 1) {
      return String.format(Locale.ROOT, "%.0f MFLOP", work / 1e6);
    }
    return String.format(Locale.ROOT, g < 10 ? "%.1f GFLOP" : "%.0f GFLOP", g);
  }
}
