package org.gpuattest.kernels.emu;

import static java.lang.Integer.numberOfTrailingZeros;

/**
 * Floating-Point Instructions (PTX ISA 9.0), .f64 with .rn: Java's double arithmetic and
 * Math.fma round to nearest even, as .rn does. A double lives in its slot as its raw bits.
 * Operands as in {@link IntegerArithmetic}.
 */
final class FloatingPoint {
  private FloatingPoint() {}

  static void fmaF64(long[] r, int d, int a, int b, int c, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Double.doubleToRawLongBits(Math.fma(Double.longBitsToDouble(r[a + l]),
          Double.longBitsToDouble(r[b + l]), Double.longBitsToDouble(r[c + l])));
    }
  }

  static void mulF64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Double.doubleToRawLongBits(
          Double.longBitsToDouble(r[a + l]) * Double.longBitsToDouble(r[b + l]));
    }
  }

  static void addF64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Double.doubleToRawLongBits(
          Double.longBitsToDouble(r[a + l]) + Double.longBitsToDouble(r[b + l]));
    }
  }

  static void subF64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Double.doubleToRawLongBits(
          Double.longBitsToDouble(r[a + l]) - Double.longBitsToDouble(r[b + l]));
    }
  }
}
