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
 * <p>{@link #VECTOR_MIN} comes from whole-process measurements on one 2-core machine
 * (docs/benchmarks.md, "Kernel choice"); {@link #FLOPS_PER_OPERAND} from issue 9's JMH figures
 * ("CPU kernels"). A machine with more cores compiles in the background sooner and may want a
 * lower threshold: {@code -Dgpuattest.cpu.kernel=vector} forces the vector kernel.
 */
public final class CpuWork {
  /**
   * The work from which a fresh JVM finishes a whole command sooner on the vector kernel than
   * on the plain one. Below it the vector kernel's warm-up (Vector API operations run boxed
   * until C2 has compiled them, and the compile competes with the work for the cores) costs
   * more than its speed saves. Measured whole-process (docs/benchmarks.md, "Kernel choice",
   * 2026-12-05, 2 cores, JDK 17 and 25): the plain kernel was faster in every row up to 18
   * GFLOP but one ('validator verify' on JDK 25 at 16 GFLOP, 6% slower); on JDK 17 the gap in
   * the verify sweep shrank by about 0.32 s per 8 GFLOP, from 0.28 s at 16 GFLOP, so the
   * two meet near 23 GFLOP; the CPU backend's 'prove' kept a 0.6-0.7 s gap to 18 GFLOP.
   */
  public static final long VECTOR_MIN = 24_000_000_000L;

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
