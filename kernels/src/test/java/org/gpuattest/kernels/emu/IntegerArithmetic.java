package org.gpuattest.kernels.emu;

import static java.lang.Integer.numberOfTrailingZeros;

/**
 * Integer Arithmetic Instructions (PTX ISA 9.0): add, sub, mul.lo, mad.lo and mul.wide, .s32/.u32
 * and .s64/.u64, over the lanes of mask m. A 32-bit value is kept sign-extended in its 64-bit
 * slot, so every 32-bit result is narrowed with (int); signed and unsigned add, sub and mul.lo
 * share those bits. {@code r} is the warp's register file, slot-major, 32 lanes a slot; d, a, b
 * and c are the destination's and sources' first lanes in it (the interpreter's slot << 5).
 */
final class IntegerArithmetic {
  private static final long U32 = 0xffff_ffffL;

  private IntegerArithmetic() {}

  static void add32(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = (int) (r[a + l] + r[b + l]);
    }
  }

  static void sub32(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = (int) (r[a + l] - r[b + l]);
    }
  }

  static void mulLo32(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = (int) r[a + l] * (int) r[b + l];
    }
  }

  static void madLo32(long[] r, int d, int a, int b, int c, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = (int) r[a + l] * (int) r[b + l] + (int) r[c + l];
    }
  }

  static void mulWideU32(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = (r[a + l] & U32) * (r[b + l] & U32);
    }
  }

  static void mulWideS32(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = (long) (int) r[a + l] * (int) r[b + l];
    }
  }

  static void add64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l] + r[b + l];
    }
  }

  static void sub64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l] - r[b + l];
    }
  }

  static void mulLo64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l] * r[b + l];
    }
  }

  static void madLo64(long[] r, int d, int a, int b, int c, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l] * r[b + l] + r[c + l];
    }
  }
}
