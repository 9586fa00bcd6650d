package org.gpuattest.kernels.emu;

import static java.lang.Integer.numberOfTrailingZeros;

/**
 * Logic and Shift Instructions (PTX ISA 9.0): shl, shr, shf, and, or, xor, not; and the bit-field
 * ones grouped with them in {@link Insn}: prmt (Data Movement and Conversion Instructions) and bfi
 * (Integer Arithmetic Instructions), whose arithmetic is {@link Alu}'s. Operands as in {@link
 * IntegerArithmetic}.
 */
final class LogicAndShift {
  private static final long U32 = 0xffff_ffffL;

  private LogicAndShift() {}

  // shl, shr: amounts are unsigned and clamp at the width.
  static void shl32(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long n = r[b + l] & U32;
      r[d + l] = n >= 32 ? 0 : (int) r[a + l] << n;
    }
  }

  static void shrU32(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long n = r[b + l] & U32;
      r[d + l] = n >= 32 ? 0 : (int) r[a + l] >>> n;
    }
  }

  static void shrS32(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long n = Math.min(r[b + l] & U32, 31);
      r[d + l] = (int) r[a + l] >> n;
    }
  }

  static void shl64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long n = r[b + l] & U32;
      r[d + l] = n >= 64 ? 0 : r[a + l] << n;
    }
  }

  static void shrU64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long n = r[b + l] & U32;
      r[d + l] = n >= 64 ? 0 : r[a + l] >>> n;
    }
  }

  static void shrS64(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long n = Math.min(r[b + l] & U32, 63);
      r[d + l] = r[a + l] >> n;
    }
  }

  // shf: funnel shift of the 64-bit b:a, .wrap takes the amount mod 32.
  static void shfLWrap(long[] r, int d, int a, int b, int c, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long ba = (r[b + l] << 32) | (r[a + l] & U32);
      r[d + l] = (int) ((ba << (r[c + l] & 31)) >>> 32);
    }
  }

  static void shfRWrap(long[] r, int d, int a, int b, int c, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long ba = (r[b + l] << 32) | (r[a + l] & U32);
      r[d + l] = (int) (ba >>> (r[c + l] & 31));
    }
  }

  // Logic on sign-extended 32-bit slots stays sign-extended, so one op serves both.
  static void and(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l] & r[b + l];
    }
  }

  static void or(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l] | r[b + l];
    }
  }

  static void xor(long[] r, int d, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l] ^ r[b + l];
    }
  }

  static void not(long[] r, int d, int a, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = ~r[a + l];
    }
  }

  static void prmt(long[] r, int d, int a, int b, int c, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Alu.prmt((int) r[a + l], (int) r[b + l], (int) r[c + l]);
    }
  }

  static void bfi32(long[] r, int d, int a, int b, int c, int e, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = (int) Alu.bfi(r[a + l], r[b + l], (int) r[c + l], (int) r[e + l], 32);
    }
  }

  static void bfi64(long[] r, int d, int a, int b, int c, int e, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Alu.bfi(r[a + l], r[b + l], (int) r[c + l], (int) r[e + l], 64);
    }
  }
}
