package org.gpuattest.kernels.emu;

/** The integer operations with more to them than a Java operator (PTX ISA 9.0 §9.7). */
final class Alu {
  private Alu() {}

  /**
   * prmt.b32 d, a, b, c in the default mode (§9.7.8.13): the bytes of b:a numbered 0..7 (a's
   * low byte 0); each nibble i of c picks the source of d's byte i by its low 3 bits, and with
   * its high bit set replicates that byte's sign bit instead.
   */
  static long prmt(int a, int b, int c) {
    long ba = ((long) b << 32) | (a & 0xffff_ffffL);
    int d = 0;
    for (int i = 0; i < 4; i++) {
      int sel = c >>> (4 * i) & 0xf;
      int v = (int) (ba >>> (8 * (sel & 7))) & 0xff;
      if ((sel & 8) != 0) {
        v = (v & 0x80) != 0 ? 0xff : 0;
      }
      d |= v << (8 * i);
    }
    return d;
  }

  /**
   * bfi (§9.7.8.12): b with bits [c, c + len) replaced by a's low bits, position and length
   * taken from the low 8 bits of c and len; unchanged where the length is 0 or the position
   * past the width.
   */
  static long bfi(long a, long b, int c, int len, int width) {
    int pos = c & 0xff;
    int n = len & 0xff;
    if (n == 0 || pos >= width) {
      return b;
    }
    int end = Math.min(width, pos + n);
    long field = end - pos >= 64 ? -1L : ((1L << (end - pos)) - 1) << pos;
    return (b & ~field) | ((a << pos) & field);
  }

  /** setp's comparison of two slots of {@code type} (§9.7.7.1). */
  static boolean compare(int cmp, int type, long x, long y) {
    int order;
    switch (type) {
      case Insn.TYPE_S32 -> order = Integer.compare((int) x, (int) y);
      case Insn.TYPE_U32 -> order = Integer.compareUnsigned((int) x, (int) y);
      case Insn.TYPE_S64 -> order = Long.compare(x, y);
      default -> order = Long.compareUnsigned(x, y);
    }
    return switch (cmp) {
      case Insn.CMP_EQ -> order == 0;
      case Insn.CMP_NE -> order != 0;
      case Insn.CMP_LT, Insn.CMP_LO -> order < 0;
      case Insn.CMP_LE, Insn.CMP_LS -> order <= 0;
      case Insn.CMP_GT, Insn.CMP_HI -> order > 0;
      default -> order >= 0;
    };
  }

  /** cvt.rn.f64.u64: the unsigned value rounded to nearest even. */
  static double unsignedToDouble(long x) {
    if (x >= 0) {
      return (double) x;
    }
    // Halve keeping the sticky bit, convert (one rounding), double: exact scaling by 2.
    return (double) ((x >>> 1) | (x & 1)) * 2.0;
  }
}
