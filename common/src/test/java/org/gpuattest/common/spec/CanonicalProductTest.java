package org.gpuattest.common.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The product of canonical-v1, "Product": the blocked multiply, the validator's streamed
 * SampledRows and the whole-matrix Reference all equal the plain ascending-k FMA chain
 * bit for bit, and the comparison is sharp enough to see any other summation order.
 */
class CanonicalProductTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  /** n = 320 crosses the 256-wide j tiles and the 128-deep k tiles with partial tiles. */
  @ParameterizedTest
  @ValueSource(ints = {64, 128, 320})
  void multiply_philoxOperands_equalsPlainChainBitForBit(int n) {
    double[] a = Operands.matrixA(KEY, 1, 2, n);
    double[] b = Operands.matrixB(KEY, 1, n);
    double[] c = new double[n * n];
    CanonicalProduct.multiply(a, n, b, n, c);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double expected = CanonicalProduct.element(a, i * n, b, n, j);
        if (Double.doubleToRawLongBits(expected) != Double.doubleToRawLongBits(c[i * n + j])
            && failures.size() < 10) {
          failures.add("C[" + i + "][" + j + "] = " + c[i * n + j] + ", chain " + expected);
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void multiply_rowSliceWithOffsets_equalsSameRowsOfFullProduct() {
    int n = 320;
    double[] a = Operands.matrixA(KEY, 0, 0, n);
    double[] b = Operands.matrixB(KEY, 0, n);
    double[] full = new double[n * n];
    CanonicalProduct.multiply(a, n, b, n, full);
    int first = 130;
    int rows = 3;
    double[] slice = new double[(rows + 2) * n];
    Arrays.fill(slice, Double.NaN);
    CanonicalProduct.multiply(a, first * n, rows, b, n, slice, n);
    assertTrue(Double.isNaN(slice[0]) && Double.isNaN(slice[slice.length - 1]),
        "wrote outside its slice");
    assertEquals(0, Arrays.compare(Arrays.copyOfRange(full, first * n, (first + rows) * n),
        Arrays.copyOfRange(slice, n, (rows + 1) * n)));
  }

  @Test
  void multiply_outputHoldsGarbage_isOverwritten() {
    int n = 64;
    double[] a = Operands.matrixA(KEY, 0, 1, n);
    double[] b = Operands.matrixB(KEY, 0, n);
    double[] clean = new double[n * n];
    double[] dirty = new double[n * n];
    Arrays.fill(dirty, Double.NaN);
    CanonicalProduct.multiply(a, n, b, n, clean);
    CanonicalProduct.multiply(a, n, b, n, dirty);
    assertTrue(Arrays.equals(clean, dirty));
  }

  /** acc starts at +0.0: fma(-0.0 * x) + (+0.0) is +0.0, so a zero row gives +0.0, not -0.0. */
  @Test
  void multiply_negativeZeroProducts_givesPositiveZero() {
    int n = 64;
    double[] a = new double[n * n];
    Arrays.fill(a, -0.0);
    double[] b = Operands.matrixB(KEY, 0, n);
    double[] c = new double[n * n];
    CanonicalProduct.multiply(a, n, b, n, c);
    for (int e = 0; e < n * n; e++) {
      assertEquals(0L, Double.doubleToRawLongBits(c[e]), "element " + e);
    }
    assertEquals(0L, Double.doubleToRawLongBits(CanonicalProduct.element(a, 0, b, n, 5)));
  }

  /**
   * Sanity of the comparison above: reordering or unfusing the chain changes at least one
   * element's bits for these operands, so a backend that did so would fail the tests.
   */
  @Test
  void element_otherSummationOrderOrArithmetic_givesDifferentBits() {
    int n = 128;
    double[] a = Operands.matrixA(KEY, 0, 0, n);
    double[] b = Operands.matrixB(KEY, 0, n);
    int descending = 0;
    int unfused = 0;
    int splitK = 0;
    int single = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        long canonical = Double.doubleToRawLongBits(CanonicalProduct.element(a, i * n, b, n, j));
        double down = 0.0;
        for (int k = n - 1; k >= 0; k--) {
          down = Math.fma(a[i * n + k], b[k * n + j], down);
        }
        double plain = 0.0;
        for (int k = 0; k < n; k++) {
          plain = plain + a[i * n + k] * b[k * n + j];
        }
        double lo = 0.0;
        double hi = 0.0;
        for (int k = 0; k < n / 2; k++) {
          lo = Math.fma(a[i * n + k], b[k * n + j], lo);
          hi = Math.fma(a[i * n + k + n / 2], b[(k + n / 2) * n + j], hi);
        }
        float f = 0.0f;
        for (int k = 0; k < n; k++) {
          f = Math.fma((float) a[i * n + k], (float) b[k * n + j], f);
        }
        descending += Double.doubleToRawLongBits(down) != canonical ? 1 : 0;
        unfused += Double.doubleToRawLongBits(plain) != canonical ? 1 : 0;
        splitK += Double.doubleToRawLongBits(lo + hi) != canonical ? 1 : 0;
        single += Double.doubleToRawLongBits(f) != canonical ? 1 : 0;
      }
    }
    assertTrue(descending > 0, "descending k matched the canonical chain everywhere");
    assertTrue(unfused > 0, "unfused multiply-add matched the canonical chain everywhere");
    assertTrue(splitK > 0, "split-k matched the canonical chain everywhere");
    assertEquals(n * n, single, "float32 arithmetic matched the canonical chain somewhere");
  }

  @Test
  void compute_sampledRows_equalRowsOfReferenceMatrixBitForBit() {
    int n = 320;
    int g = 3;
    int[] iterations = {0, 2, 2, 1, 0};
    int[] rows = {0, 319, 128, 5, 0};
    double[] got = SampledRows.compute(KEY, g, n, iterations, rows);
    double[] b = Operands.matrixB(KEY, g, n);
    double[][] byIteration = new double[3][];
    for (int t = 0; t < 3; t++) {
      byIteration[t] = Reference.matrix(KEY, g, t, n, b);
    }
    for (int r = 0; r < rows.length; r++) {
      double[] expected = Arrays.copyOfRange(byIteration[iterations[r]], rows[r] * n,
          (rows[r] + 1) * n);
      double[] actual = Arrays.copyOfRange(got, r * n, (r + 1) * n);
      assertTrue(Arrays.equals(expected, actual),
          "sample " + r + ": row " + rows[r] + " of C(" + g + "," + iterations[r] + ")");
    }
  }

  /** Every column of sampled rows at a size off the powers of two, against the plain chain. */
  @Test
  void compute_acrossItsTiles_equalsPlainChainBitForBit() {
    int n = 576;
    int g = 2;
    int[] iterations = {4, 0, 4};
    int[] rows = {575, 0, 300};
    double[] got = SampledRows.compute(KEY, g, n, iterations, rows);
    double[] b = Operands.matrixB(KEY, g, n);
    double[] a = new double[n];
    for (int r = 0; r < rows.length; r++) {
      Operands.rowA(KEY, g, iterations[r], n, rows[r], a, 0);
      for (int j = 0; j < n; j++) {
        double expected = CanonicalProduct.element(a, 0, b, n, j);
        assertEquals(Double.doubleToRawLongBits(expected),
            Double.doubleToRawLongBits(got[r * n + j]), "sample " + r + ", column " + j);
      }
    }
  }

  @Test
  void compute_lengthsDiffer_throwsIllegalArgumentWithBothLengths() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SampledRows.compute(KEY, 0, 64, new int[2], new int[3]));
    assertTrue(e.getMessage().contains("2 vs 3"), e.getMessage());
  }
}
