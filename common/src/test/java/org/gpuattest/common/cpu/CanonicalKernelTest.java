package org.gpuattest.common.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.gpuattest.common.spec.CanonicalProduct;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CPU kernel against the oracle, {@link CanonicalProduct#element} (the spec's chain one
 * element at a time), bit for bit: random operands, operands over the whole exponent range
 * (subnormal to near overflow), sums that cancel, signed zeros, shapes that leave partial
 * tiles and strips, k split into blocks anywhere, and non-trivial offsets and strides. The
 * Vector API kernel runs where the test JVM has the incubator module (the build enables it);
 * the plain kernel runs everywhere.
 */
class CanonicalKernelTest {
  static Stream<CanonicalKernel> kernels() {
    List<CanonicalKernel> all = new ArrayList<>();
    all.add(new ScalarKernel());
    if (CpuKernels.moduleEnabled()) {
      all.add(CpuKernels.choose("vector", true).product());
    }
    return all.stream();
  }

  /** Operands a test draws; each kind stresses a different way a reordered chain would show. */
  enum Operands {
    UNIFORM {
      @Override
      double next(SplittableRandom r) {
        return r.nextDouble(-1.0, 1.0);
      }
    },
    WIDE_EXPONENTS {
      @Override
      double next(SplittableRandom r) {
        // 2^-1074 .. 2^500 in magnitude: subnormal products, and sums where one term swamps.
        return Math.scalb(r.nextDouble(-1.0, 1.0), r.nextInt(-1074, 500));
      }
    },
    CANCELLING {
      @Override
      double next(SplittableRandom r) {
        // Few distinct magnitudes of both signs: partial sums return near zero again and again,
        // where any change of order or an unfused multiply changes the low bits.
        double m = 1.0 + r.nextInt(4) * 0x1p-30;
        return (r.nextBoolean() ? m : -m) * (r.nextInt(3) == 0 ? 0x1p40 : 1.0);
      }
    },
    ZEROS_AND_SIGNS {
      @Override
      double next(SplittableRandom r) {
        switch (r.nextInt(4)) {
          case 0: return 0.0;
          case 1: return -0.0;
          default: return r.nextBoolean() ? 1.0 : -1.0;
        }
      }
    };

    abstract double next(SplittableRandom r);

    double[] fill(double[] x, SplittableRandom r) {
      for (int i = 0; i < x.length; i++) {
        x[i] = next(r);
      }
      return x;
    }
  }

  static Stream<Object[]> cases() {
    List<Object[]> cases = new ArrayList<>();
    int[] dims = {1, 3, 4, 8, 17, 31, 32, 33, 63, 65, 100, 129, 200, 261};
    int[] rows = {1, 3, 4, 5, 7, 9, 16};
    SplittableRandom pick = new SplittableRandom(7);
    for (CanonicalKernel k : kernels().toList()) {
      for (Operands ops : Operands.values()) {
        for (int n : dims) {
          cases.add(new Object[] {k, ops, n, rows[pick.nextInt(rows.length)]});
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} n={2} rows={3}")
  @MethodSource("cases")
  void accumulate_fromZero_equalsOracleBitForBit(CanonicalKernel kernel, Operands ops, int n,
      int rows) {
    SplittableRandom r = new SplittableRandom(31L * n + rows + ops.ordinal());
    double[] a = ops.fill(new double[rows * n], r);
    double[] b = ops.fill(new double[n * n], r);
    double[] c = new double[rows * n];
    kernel.accumulate(a, 0, n, rows, kernel.pack(b, 0, n, n), c, 0, n);
    assertOracle(kernel, a, 0, n, rows, b, n, c, 0, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void accumulate_kSplitIntoBlocksAnywhere_continuesEachChainExactly(CanonicalKernel kernel) {
    int n = 300;
    int rows = 6;
    SplittableRandom r = new SplittableRandom(3);
    double[] a = Operands.WIDE_EXPONENTS.fill(new double[rows * n], r);
    double[] b = Operands.UNIFORM.fill(new double[n * n], r);
    double[] c = new double[rows * n];
    int[] cuts = {0, 1, 8, 9, 137, 300};
    for (int i = 0; i + 1 < cuts.length; i++) {
      int k0 = cuts[i];
      int kn = cuts[i + 1] - k0;
      kernel.accumulate(a, k0, n, rows, kernel.pack(b, k0 * n, kn, n), c, 0, n);
    }
    assertOracle(kernel, a, 0, n, rows, b, n, c, 0, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void accumulate_offsetsAndStrides_touchOnlyTheirRowsAndColumns(CanonicalKernel kernel) {
    int n = 70;
    int rows = 9;
    int aStride = n + 5;
    int cStride = n + 11;
    SplittableRandom r = new SplittableRandom(4);
    double[] a = Operands.UNIFORM.fill(new double[3 + rows * aStride], r);
    double[] b = Operands.UNIFORM.fill(new double[2 + n * n], r);
    double[] c = new double[7 + rows * cStride];
    java.util.Arrays.fill(c, 42.0);
    for (int i = 0; i < rows; i++) {
      java.util.Arrays.fill(c, 7 + i * cStride, 7 + i * cStride + n, 0.0);
    }
    double[] bPlain = java.util.Arrays.copyOfRange(b, 2, 2 + n * n);
    kernel.accumulate(a, 3, aStride, rows, kernel.pack(b, 2, n, n), c, 7, cStride);
    assertOracle(kernel, a, 3, aStride, rows, bPlain, n, c, 7, cStride);
    for (int i = 0; i < 7; i++) {
      assertEquals(42.0, c[i], "before the first row");
    }
    for (int i = 0; i < rows; i++) {
      for (int j = n; j < cStride && 7 + i * cStride + j < c.length; j++) {
        assertEquals(42.0, c[7 + i * cStride + j], "row " + i + " past column n");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void pack_everyElementLandsWhereTheKernelReadsIt(CanonicalKernel kernel) {
    int n = 45;
    int kn = 13;
    double[] b = new double[kn * n];
    for (int i = 0; i < b.length; i++) {
      b[i] = i;
    }
    PackedPanel p = kernel.pack(b, 0, kn, n);
    for (int k = 0; k < kn; k++) {
      for (int j = 0; j < n; j++) {
        assertEquals(k * n + j, p.get(k, j), "B[" + k + "][" + j + "]");
      }
    }
  }

  /** C[i][j] must be the oracle's chain, bit for bit (NaNs compared as NaN: payloads vary). */
  static void assertOracle(CanonicalKernel kernel, double[] a, int aOff, int aStride, int rows,
      double[] b, int n, double[] c, int cOff, int cStride) {
    int bad = 0;
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < n; j++) {
        double want = CanonicalProduct.element(a, aOff + i * aStride, b, n, j);
        double got = c[cOff + i * cStride + j];
        if (Double.doubleToLongBits(want) != Double.doubleToLongBits(got)) {
          if (bad++ == 0) {
            first.append("C[").append(i).append("][").append(j).append("] = ")
                .append(Double.toHexString(got)).append(", chain gives ")
                .append(Double.toHexString(want));
          }
        }
      }
    }
    if (bad > 0) {
      fail(kernel.name() + ": " + bad + " of " + rows * n + " elements differ; first " + first);
    }
    assertTrue(rows * n > 0);
  }
}
