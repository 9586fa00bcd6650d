package org.gpuattest.common.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The operand mapping of canonical-v1, "Philox4x32-10": the key derivation, the counter of
 * each element, the even/odd word choice, and the exact element formula.
 */
class OperandsTest {
  private static final PhiloxKey KEY = new PhiloxKey(0x12345678, 0x9abcdef0);
  private static final BigDecimal TWO_POW_52 = new BigDecimal(1L << 52);

  @Test
  void element_zeroWord_isMinusOne() {
    assertEquals(-1.0, Operands.element(0L));
  }

  @Test
  void element_allOnesWord_isOneMinusTwoPowMinus52() {
    assertEquals(1.0 - 0x1.0p-52, Operands.element(-1L));
  }

  @Test
  void element_lowElevenBits_areIgnored() {
    assertEquals(Operands.element(0x8000_0000_0000_0000L),
        Operands.element(0x8000_0000_0000_07FFL));
    assertEquals(0.0, Operands.element(0x8000_0000_0000_0000L));
  }

  /** (u >>> 11) * 2^-52 - 1 computed exactly in decimal, compared with the double exactly. */
  @Test
  void element_randomWords_equalExactFormulaAndLieInMinusOneToOne() {
    SplittableRandom rnd = new SplittableRandom(11);
    List<String> failures = new ArrayList<>();
    for (int n = 0; n < 50_000; n++) {
      long u = n < 64 ? (1L << n) - 1 : rnd.nextLong();
      double x = Operands.element(u);
      BigDecimal exact = new BigDecimal(u >>> 11)
          .divide(TWO_POW_52) // exact: a power of two
          .subtract(BigDecimal.ONE);
      boolean inRange = x >= -1.0 && x < 1.0;
      if (new BigDecimal(x).compareTo(exact) != 0 || !inRange) {
        failures.add(String.format("u=%016x -> %s, exact %s", u, x, exact.toPlainString()));
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures.subList(0,
        Math.min(10, failures.size()))));
  }

  /** The mapping done by hand from Philox4x32.block: counter (e >> 1, t, g, 0) for A. */
  @Test
  void elementA_evenAndOddElements_matchHandMappingFromPhiloxBlock() {
    int n = 64;
    int[][] positions = {{0, 0}, {0, 1}, {0, 2}, {0, 63}, {1, 0}, {5, 7}, {63, 62}, {63, 63}};
    for (int g : new int[] {0, 1, 3}) {
      for (int t : new int[] {0, 1, 7}) {
        for (int[] p : positions) {
          long e = (long) p[0] * n + p[1];
          int[] x = Philox4x32.block(new int[] {(int) (e >> 1), t, g, 0},
              new int[] {KEY.k0(), KEY.k1()});
          long u = (e & 1) == 0 ? word(x[1], x[0]) : word(x[3], x[2]);
          double expected = (u >>> 11) * 0x1.0p-52 - 1.0;
          assertEquals(expected, Operands.elementA(KEY, g, t, n, p[0], p[1]),
              "A(g=" + g + ", t=" + t + ")[" + p[0] + "][" + p[1] + "]");
        }
      }
    }
  }

  /** B uses counter (e >> 1, 0, g, 1). */
  @Test
  void elementB_evenAndOddElements_matchHandMappingFromPhiloxBlock() {
    int n = 128;
    int[][] positions = {{0, 0}, {0, 1}, {2, 3}, {127, 126}, {127, 127}};
    for (int g : new int[] {0, 2, 63}) {
      for (int[] p : positions) {
        long e = (long) p[0] * n + p[1];
        int[] x = Philox4x32.block(new int[] {(int) (e >> 1), 0, g, 1},
            new int[] {KEY.k0(), KEY.k1()});
        long u = (e & 1) == 0 ? word(x[1], x[0]) : word(x[3], x[2]);
        assertEquals(Operands.element(u), Operands.elementB(KEY, g, n, p[0], p[1]),
            "B(g=" + g + ")[" + p[0] + "][" + p[1] + "]");
      }
    }
  }

  /** The last element of the largest matrix: e = 2^28 - 1, counter word 2^27 - 1. */
  @Test
  void elementA_lastElementOfLargestMatrix_usesCounterEShiftedRight() {
    int n = 16384;
    int[] x = Philox4x32.block(new int[] {(1 << 27) - 1, 2, 1, 0},
        new int[] {KEY.k0(), KEY.k1()});
    assertEquals(Operands.element(word(x[3], x[2])),
        Operands.elementA(KEY, 1, 2, n, n - 1, n - 1));
    double[] row = new double[n];
    Operands.rowA(KEY, 1, 2, n, n - 1, row, 0);
    assertEquals(Operands.element(word(x[3], x[2])), row[n - 1]);
    assertEquals(Operands.element(word(x[1], x[0])), row[n - 2]);
  }

  @Test
  void matrixAAndRowA_everyElement_equalElementA() {
    int n = 64;
    int g = 1;
    int t = 2;
    double[] a = Operands.matrixA(KEY, g, t, n);
    double[] rows = new double[3 + n * n];
    for (int i = 0; i < n; i++) {
      Operands.rowA(KEY, g, t, n, i, rows, 3 + i * n); // odd offset on purpose
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double one = Operands.elementA(KEY, g, t, n, i, j);
        assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(a[i * n + j]),
            "matrixA[" + i + "][" + j + "]");
        assertEquals(Double.doubleToRawLongBits(one),
            Double.doubleToRawLongBits(rows[3 + i * n + j]), "rowA[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void matrixBAndRowB_everyElement_equalElementB() {
    int n = 128;
    int g = 5;
    double[] b = Operands.matrixB(KEY, g, n);
    double[] row = new double[n];
    for (int k = 0; k < n; k++) {
      Operands.rowB(KEY, g, n, k, row, 0);
      for (int j = 0; j < n; j++) {
        double one = Operands.elementB(KEY, g, n, k, j);
        assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(b[k * n + j]),
            "matrixB[" + k + "][" + j + "]");
        assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(row[j]),
            "rowB[" + k + "][" + j + "]");
      }
    }
  }

  /** Counter words 1..3 separate the streams: no two operands share a block. */
  @Test
  void matrices_differentDeviceIterationOrOperand_areDifferent() {
    int n = 64;
    double[] a00 = Operands.matrixA(KEY, 0, 0, n);
    assertFalse(Arrays.equals(a00, Operands.matrixA(KEY, 0, 1, n)), "A(0,0) vs A(0,1)");
    assertFalse(Arrays.equals(a00, Operands.matrixA(KEY, 1, 0, n)), "A(0,0) vs A(1,0)");
    assertFalse(Arrays.equals(a00, Operands.matrixB(KEY, 0, n)), "A(0,0) vs B(0)");
    assertFalse(Arrays.equals(Operands.matrixB(KEY, 0, n), Operands.matrixB(KEY, 1, n)),
        "B(0) vs B(1)");
    assertFalse(Arrays.equals(a00, Operands.matrixA(new PhiloxKey(KEY.k0(), 0), 0, 0, n)),
        "another key");
  }

  /** canonical-v1: H = SHA-256("philox-key/v1" || seed), k0 = LE32(H[0..4]), k1 = LE32(H[4..8]). */
  @Test
  void fromSeed_anySeed_isLe32OfDomainSeparatedSha256() throws Exception {
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) (0xA0 + i);
    }
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update("philox-key/v1".getBytes(StandardCharsets.US_ASCII));
    byte[] h = md.digest(seed);
    int k0 = (h[0] & 0xFF) | (h[1] & 0xFF) << 8 | (h[2] & 0xFF) << 16 | (h[3] & 0xFF) << 24;
    int k1 = (h[4] & 0xFF) | (h[5] & 0xFF) << 8 | (h[6] & 0xFF) << 16 | (h[7] & 0xFF) << 24;
    assertEquals(new PhiloxKey(k0, k1), PhiloxKey.fromSeed(seed));
  }

  @Test
  void fromSeed_wrongLength_throwsIllegalArgumentNamingLength() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PhiloxKey.fromSeed(new byte[31]));
    assertTrue(e.getMessage().contains("31"), e.getMessage());
  }

  private static long word(int hi, int lo) {
    return (hi & 0xFFFFFFFFL) << 32 | (lo & 0xFFFFFFFFL);
  }
}
