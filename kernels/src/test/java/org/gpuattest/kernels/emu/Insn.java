package org.gpuattest.kernels.emu;

/**
 * One decoded PTX instruction: an operation, its operands as register-file slots (immediates
 * and symbol addresses live in constant slots, so every operand is a slot), its guard
 * predicate, and where it came from. Decoded once per module; the interpreter only switches on
 * {@link #op}.
 */
final class Insn {
  // Moves and special registers (PTX ISA 9.0 §9.7.9.1 mov, §10 special registers).
  static final int MOV = 1;
  static final int SPECIAL = 2;
  // Integer arithmetic (§9.7.1): values of 32-bit registers are kept sign-extended in a long.
  static final int ADD32 = 10;
  static final int SUB32 = 11;
  static final int MUL_LO32 = 12;
  static final int MAD_LO32 = 13;
  static final int MUL_WIDE_U32 = 14;
  static final int MUL_WIDE_S32 = 15;
  static final int ADD64 = 16;
  static final int SUB64 = 17;
  static final int MUL_LO64 = 18;
  static final int MAD_LO64 = 19;
  // Shifts and logic (§9.7.8).
  static final int SHL32 = 20;
  static final int SHR_U32 = 21;
  static final int SHR_S32 = 22;
  static final int SHL64 = 23;
  static final int SHR_U64 = 24;
  static final int SHR_S64 = 25;
  static final int SHF_L_WRAP = 26;
  static final int SHF_R_WRAP = 27;
  static final int AND = 28;
  static final int OR = 29;
  static final int XOR = 30;
  static final int NOT = 31;
  static final int PRMT = 32;
  static final int BFI32 = 33;
  static final int BFI64 = 34;
  // Comparison and selection (§9.7.7).
  static final int SETP = 40;
  static final int SELP = 41;
  // Conversions (§9.7.9.21 cvt, §9.7.9.22 cvta).
  static final int CVT_ZEXT32 = 45;
  static final int CVT_TRUNC32 = 46;
  static final int CVT_F64_U64 = 47;
  static final int CVT_F64_S64 = 48;
  // Floating point, round to nearest even (§9.7.3).
  static final int FMA_F64 = 50;
  static final int MUL_F64 = 51;
  static final int ADD_F64 = 52;
  static final int SUB_F64 = 53;
  // Data movement (§9.7.9.8 ld, §9.7.9.10 st, §9.7.9.25 cp.async, §9.7.13.5 atom).
  static final int LD_PARAM = 60;
  static final int LD_GLOBAL = 61;
  static final int ST_GLOBAL = 62;
  static final int LD_SHARED = 63;
  static final int ST_SHARED = 64;
  static final int ATOM_ADD_U64 = 65;
  static final int CP_ASYNC = 66;
  static final int CP_COMMIT = 67;
  static final int CP_WAIT = 68;
  // Synchronisation and warp-level matrix multiply (§9.7.13.4 bar, §9.7.14.5.14 mma).
  static final int BAR = 70;
  static final int MMA_M8N8K4_F64 = 71;
  // Control flow (§9.7.12).
  static final int BRA = 80;
  static final int EXIT = 81;

  /** Comparison kinds of setp (§9.7.7.1), and how its operands are typed. */
  static final int CMP_EQ = 0;
  static final int CMP_NE = 1;
  static final int CMP_LT = 2;
  static final int CMP_LE = 3;
  static final int CMP_GT = 4;
  static final int CMP_GE = 5;
  static final int CMP_LO = 6;
  static final int CMP_LS = 7;
  static final int CMP_HI = 8;
  static final int CMP_HS = 9;

  static final int TYPE_S32 = 0;
  static final int TYPE_U32 = 1;
  static final int TYPE_S64 = 2;
  static final int TYPE_U64 = 3;

  /** Special registers (§10). */
  static final int SR_TID_X = 0;
  static final int SR_TID_Y = 1;
  static final int SR_TID_Z = 2;
  static final int SR_NTID_X = 3;
  static final int SR_NTID_Y = 4;
  static final int SR_NTID_Z = 5;
  static final int SR_CTAID_X = 6;
  static final int SR_CTAID_Y = 7;
  static final int SR_CTAID_Z = 8;
  static final int SR_NCTAID_X = 9;
  static final int SR_NCTAID_Y = 10;
  static final int SR_NCTAID_Z = 11;
  static final int SR_LANEID = 12;
  static final int SR_WARPID = 13;
  static final int SR_SMID = 14;
  static final int SR_NSMID = 15;
  static final int SR_GLOBALTIMER = 16;

  final int op;
  /** Source line in the PTX, and the instruction's text, for faults. */
  final int line;
  final String text;
  /** The instruction class it is counted under ({@link LaunchCounts}). */
  final int counted;
  /** Guard predicate slot, or -1; and whether it is negated (@!%p). */
  final int guard;
  final boolean guardNegated;
  /** Destination slots, and source slots (checked initialised before the instruction runs). */
  final int[] dsts;
  final int[] srcs;
  /** Op-specific: compare kind, operand type, access size, vector length, special register. */
  final int a;
  final int b;
  final int c;
  /** An address's byte offset, a param's index, a branch target, a wait_group count. */
  final long imm;

  Insn(int op, int line, String text, int counted, int guard, boolean guardNegated, int[] dsts,
      int[] srcs, int a, int b, int c, long imm) {
    this.op = op;
    this.line = line;
    this.text = text;
    this.counted = counted;
    this.guard = guard;
    this.guardNegated = guardNegated;
    this.dsts = dsts;
    this.srcs = srcs;
    this.a = a;
    this.b = b;
    this.c = c;
    this.imm = imm;
  }

  Insn withTarget(long target) {
    return new Insn(op, line, text, counted, guard, guardNegated, dsts, srcs, a, b, c, target);
  }
}
