package org.gpuattest.kernels.emu;

import static java.lang.Integer.numberOfTrailingZeros;

/**
 * Data Movement and Conversion Instructions (PTX ISA 9.0): mov, of a register or of a special
 * register, and cvt between the integer widths and to .f64; loads, stores and cp.async are
 * {@link MemoryAccess}'s. Operands as in {@link IntegerArithmetic}.
 */
final class MoveAndConvert {
  private static final long U32 = 0xffff_ffffL;

  private MoveAndConvert() {}

  static void mov(long[] r, int d, int a, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l];
    }
  }

  static void cvtZext32(long[] r, int d, int a, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[a + l] & U32;
    }
  }

  static void cvtTrunc32(long[] r, int d, int a, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = (int) r[a + l];
    }
  }

  static void cvtF64U64(long[] r, int d, int a, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Double.doubleToRawLongBits(Alu.unsignedToDouble(r[a + l]));
    }
  }

  static void cvtF64S64(long[] r, int d, int a, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Double.doubleToRawLongBits((double) r[a + l]);
    }
  }

  /** mov from a Special Register (PTX ISA 9.0: Special Registers) of CTA t's warp w. */
  static void special(Cta t, Warp w, int which, long[] r, int d, int m) {
    int bx = t.block.x();
    int by = t.block.y();
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      int tid = w.firstThread + l;
      r[d + l] = switch (which) {
        case Insn.SR_TID_X -> tid % bx;
        case Insn.SR_TID_Y -> (tid / bx) % by;
        case Insn.SR_TID_Z -> tid / (bx * by);
        case Insn.SR_NTID_X -> bx;
        case Insn.SR_NTID_Y -> by;
        case Insn.SR_NTID_Z -> t.block.z();
        case Insn.SR_CTAID_X -> t.ctaX;
        case Insn.SR_CTAID_Y -> t.ctaY;
        case Insn.SR_CTAID_Z -> t.ctaZ;
        case Insn.SR_NCTAID_X -> t.grid.x();
        case Insn.SR_NCTAID_Y -> t.grid.y();
        case Insn.SR_NCTAID_Z -> t.grid.z();
        case Insn.SR_LANEID -> l;
        case Insn.SR_WARPID -> w.index;
        case Insn.SR_SMID -> t.sm;
        case Insn.SR_NSMID -> t.gpu.smCount();
        case Insn.SR_GLOBALTIMER -> t.globalTimer();
        default -> throw new IllegalStateException("special register " + which);
      };
    }
  }
}
