package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * mma.m8n8k4 .f64 as the ISA's fragment tables place its elements, each D element the FMA
 * chain c, k0, k1, k2, k3 (protocol §1.5). The operands are chosen so that the order of the
 * chain shows in the bits: the test tells this chain from the reversed one.
 */
class MmaTest {
  @Test
  void m8n8k4_eachElementIsTheAscendingFmaChain_inTheIsasLayout() {
    SplittableRandom rnd = new SplittableRandom(20261205);
    double[][] a = new double[8][4];
    double[][] b = new double[4][8];
    double[][] c = new double[8][8];
    for (int i = 0; i < 8; i++) {
      for (int k = 0; k < 4; k++) {
        // Magnitudes spread over 2^-30..2^30 so that cancellation depends on the order.
        a[i][k] = Math.scalb(rnd.nextDouble(-1, 1), rnd.nextInt(-30, 31));
        b[k][i] = Math.scalb(rnd.nextDouble(-1, 1), rnd.nextInt(-30, 31));
      }
      for (int j = 0; j < 8; j++) {
        c[i][j] = Math.scalb(rnd.nextDouble(-1, 1), rnd.nextInt(-30, 31));
      }
    }
    // Slots: 0 a0, 1 b0, 2 c0, 3 c1, 4 d0, 5 d1; lane l holds A[l/4][l%4], B[l%4][l/4],
    // C[l/4][2(l%4)+i].
    long[] r = new long[6 * 32];
    for (int l = 0; l < 32; l++) {
      r[l] = Double.doubleToRawLongBits(a[l >> 2][l & 3]);
      r[32 + l] = Double.doubleToRawLongBits(b[l & 3][l >> 2]);
      r[64 + l] = Double.doubleToRawLongBits(c[l >> 2][2 * (l & 3)]);
      r[96 + l] = Double.doubleToRawLongBits(c[l >> 2][2 * (l & 3) + 1]);
    }
    Mma.m8n8k4(r, 0, 1, 2, 3, 4, 5);
    int differsFromReversed = 0;
    for (int l = 0; l < 32; l++) {
      for (int i = 0; i < 2; i++) {
        int row = l >> 2;
        int col = 2 * (l & 3) + i;
        double ascending = c[row][col];
        for (int k = 0; k < 4; k++) {
          ascending = Math.fma(a[row][k], b[k][col], ascending);
        }
        double reversed = c[row][col];
        for (int k = 3; k >= 0; k--) {
          reversed = Math.fma(a[row][k], b[k][col], reversed);
        }
        double got = Double.longBitsToDouble(r[(4 + i) * 32 + l]);
        assertEquals(Double.doubleToRawLongBits(ascending), Double.doubleToRawLongBits(got),
            "D[" + row + "][" + col + "]");
        differsFromReversed += Double.compare(ascending, reversed) != 0 ? 1 : 0;
      }
    }
    assertNotEquals(0, differsFromReversed, "the operands must tell the chain's order");
  }
}
