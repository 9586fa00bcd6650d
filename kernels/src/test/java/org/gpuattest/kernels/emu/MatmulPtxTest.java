package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.KernelGeometry;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The product kernels of ptx/matmul_ffma.ptx, matmul_dmma.ptx and matmul_dmma_wide.ptx, each
 * entry monitored and unmonitored, on the emulator (sanitizer on) against {@link
 * CanonicalProduct}, the chain of docs/protocol.md section 1.5, bit for bit: at every n up to
 * 384 that the kernel's tile divides, and on operands chosen to make any other order, rounding
 * or start value visible. The monitored entries' SM monitor must account for every block.
 */
class MatmulPtxTest {
  static final Kernel[] PRODUCT_KERNELS = {Kernel.MATMUL, Kernel.MATMUL_UNMONITORED,
      Kernel.MATMUL_DMMA, Kernel.MATMUL_DMMA_UNMONITORED, Kernel.MATMUL_DMMA_WIDE,
      Kernel.MATMUL_DMMA_WIDE_UNMONITORED};
  static final int MAX_N = 384;
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[] {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

  static Stream<Arguments> everyLegalN() {
    List<Arguments> cases = new ArrayList<>();
    for (Kernel k : PRODUCT_KERNELS) {
      for (int n = ShippedKernels.tile(k); n <= MAX_N; n += ShippedKernels.tile(k)) {
        cases.add(Arguments.of(k, n));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("everyLegalN")
  void product_everyLegalNUpTo384_equalsCanonicalProduct(Kernel k, int n) throws Exception {
    double[] a = Operands.matrixA(KEY, 1, n, n);
    double[] b = Operands.matrixB(KEY, 1, n);
    check(k, a, b, n);
  }

  /**
   * Operands with extreme exponents (products from below the smallest subnormal to 2^1000),
   * subnormals, signed zeros and cancelling pairs ({@link #extreme}), at n = 128: two tiles a
   * side, one for the wide tiling.
   */
  @ParameterizedTest
  @EnumSource(value = Kernel.class, names = {"MATMUL", "MATMUL_UNMONITORED", "MATMUL_DMMA",
      "MATMUL_DMMA_UNMONITORED", "MATMUL_DMMA_WIDE", "MATMUL_DMMA_WIDE_UNMONITORED"})
  void product_extremeOperands_equalsCanonicalProduct(Kernel k) throws Exception {
    int n = 128;
    check(k, extreme(n, 17, true), extreme(n, 18, false), n);
  }

  /** Runs {@code k} on A x B and compares C, and a monitored entry's SM monitor. */
  static ShippedKernels.Product check(Kernel k, double[] a, double[] b, int n) throws Exception {
    double[] want = new double[n * n];
    CanonicalProduct.multiply(a, n, b, n, want);
    ShippedKernels.Product p = ShippedKernels.shipped().product(k, a, b, n);
    SameBits.assertMatrix(k.entry + " n=" + n, want, p.c(), n);
    if (!k.entry.endsWith("_unmonitored")) {
      assertMonitorSane(k.entry + " n=" + n, p, (int) ShippedKernels.productGrid(k, n).count());
    }
    return p;
  }

  /**
   * Every block recorded once, on an SM the GPU has (slot %smid < SM count, no other slot
   * touched), the blocks spread over min(blocks, SMs) SMs, and each SM's busy time that of
   * its blocks: positive, at most the kernel's duration per block (a block whose end came
   * before its start would wrap the unsigned difference).
   */
  static void assertMonitorSane(String what, ShippedKernels.Product p, int blocks) {
    int sms = ShippedKernels.GPU.smCount();
    long kernelNanos = p.launch().endNanos() - p.launch().startNanos();
    long total = 0;
    int used = 0;
    for (int slot = 0; slot < KernelGeometry.MONITOR_SLOTS; slot++) {
      long count = p.smBlocks()[slot];
      long busy = p.smBusyNanos()[slot];
      if (slot >= sms) {
        assertEquals(0, count, what + ": blocks at slot " + slot + " past the SM count " + sms);
        assertEquals(0, busy, what + ": busy ns at slot " + slot + " past the SM count");
        continue;
      }
      total += count;
      used += count > 0 ? 1 : 0;
      assertTrue(count > 0 ? busy > 0 && busy <= count * kernelNanos : busy == 0, what
          + ": SM " + slot + " has " + count + " blocks and " + busy + " busy ns, kernel "
          + kernelNanos + " ns");
    }
    assertEquals(blocks, total, what + ": blocks recorded");
    assertEquals(Math.min(blocks, sms), used, what + ": SMs with blocks");
    assertTrue(kernelNanos > 0, what + ": kernel time " + kernelNanos);
  }

  /**
   * An operand that makes every deviation from the canonical chain show. Rows of A and columns
   * of B come in three kinds (index % 3): wide (exponents from -560 to 500, subnormals and
   * zeros mixed), tiny (exponents -560 to -530, subnormals, zeros: tiny x tiny products lie
   * below the smallest normal, so those chains end in the subnormals or at a signed zero) and
   * moderate (exponents -30 to 30). No chain overflows: products stay below 2^1002 and 384 of
   * them below 2^1011. In every k-step 4m + 1, A holds the negation of step 4m's element and
   * B a copy of step 4m's row, so fma(-x, y, fma(x, y, acc)) cancels and only a fused,
   * ordered chain gives the CPU's bits. Row 0 of A is -0.0 and column 0 of B 1.0: C[0][0]
   * adds only -0.0 products, +0.0 from the chain's start +0.0, -0.0 from any other start. Row
   * 1 of A and column 1 of B are -2^-600 and 2^-600, whose products round to -0.0.
   */
  static double[] extreme(int n, long seed, boolean isA) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n * n];
    for (int e = 0; e < x.length; e++) {
      int kind = (isA ? e / n : e % n) % 3;
      double sign = r.nextBoolean() ? -1.0 : 1.0;
      double mantissa = 1.0 + r.nextInt(1 << 30) * 0x1.0p-30;
      int pick = r.nextInt(8);
      x[e] = pick == 0 ? sign * 0.0 : switch (kind) {
        case 0 -> switch (pick) {
          case 1 -> sign * Double.MIN_VALUE * (1 + r.nextInt(1 << 20));
          case 2 -> sign * Math.scalb(mantissa, -560 + r.nextInt(60));
          case 3, 4 -> sign * Math.scalb(mantissa, 460 + r.nextInt(40));
          default -> sign * Math.scalb(mantissa, r.nextInt(61) - 30);
        };
        case 1 -> pick == 1 ? sign * Double.MIN_VALUE * (1 + r.nextInt(1 << 20))
            : sign * Math.scalb(mantissa, -560 + r.nextInt(30));
        default -> sign * Math.scalb(mantissa, r.nextInt(61) - 30);
      };
    }
    for (int i = 0; i < n; i++) {
      for (int k = 1; k < n; k += 4) { // A[i][4m+1] = -A[i][4m], B[4m+1][*] = B[4m][*]
        if (isA) {
          x[i * n + k] = -x[i * n + k - 1];
        } else {
          x[k * n + i] = x[(k - 1) * n + i];
        }
      }
    }
    for (int t = 0; t < n; t++) {
      x[isA ? t : t * n] = isA ? -0.0 : 1.0; // row 0 of A, column 0 of B
      x[isA ? n + t : t * n + 1] = isA ? -0x1.0p-600 : 0x1.0p-600;
    }
    return x;
  }
}
