package org.gpuattest.kernels.emu;

import static java.lang.Integer.numberOfTrailingZeros;


/**
 * Executes a warp's instructions, a warp-instruction at a time over the lanes of the running
 * fragment, with the sanitizer's checks on every access. Semantics per PTX ISA 9.0 (the instruction
 * families named in {@link Insn}); the integer ones keep a 32-bit value sign-extended in its 64-bit slot, so every
 * 32-bit result is narrowed with (int).
 */
final class Interpreter {
  private static final long U32 = 0xffff_ffffL;

  private final Cta cta;
  private final Insn[] code;
  private final MemoryAccess mem;
  private final double[] mmaScratch = new double[128];

  Interpreter(Cta cta) {
    this.cta = cta;
    this.code = cta.entry.code;
    this.mem = new MemoryAccess(cta);
  }

  /** Runs {@code w} until it exits or waits at a barrier. */
  void run(Warp w) throws KernelFault {
    final long[] r = w.r;
    final int[] wr = w.written;
    final long[] counts = cta.counts;
    final DependencyChains chains = cta.chains;
    int pc = w.pc;
    int mask = w.mask;
    try {
      while (true) {
        final Insn in = code[pc];
        int m = mask;
        if (in.guard >= 0) {
          int g = in.guard;
          if ((wr[g] & m) != m) {
            throw uninitialized(g, wr[g], m);
          }
          int t = 0;
          for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = numberOfTrailingZeros(mm);
            if (r[(g << 5) + l] != 0) {
              t |= 1 << l;
            }
          }
          m = in.guardNegated ? m & ~t : t;
        }
        final int[] s = in.srcs;
        for (int i = 0; i < s.length; i++) {
          if ((wr[s[i]] & m) != m) {
            throw uninitialized(s[i], wr[s[i]], m);
          }
        }
        cta.issued++;
        if (counts != null) {
          counts[in.counted] += Integer.bitCount(m);
          counts[LaunchCounts.WARP_BASE + in.counted]++;
        }
        if (chains != null) {
          chains.issue(w.index, in, m);
        }
        final int d = in.dsts.length > 0 ? in.dsts[0] << 5 : 0;
        final int a = s.length > 0 ? s[0] << 5 : 0;
        final int b = s.length > 1 ? s[1] << 5 : 0;
        final int c = s.length > 2 ? s[2] << 5 : 0;
        switch (in.op) {
          case Insn.MOV -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l];
            }
          }
          case Insn.SPECIAL -> special(w, in.a, r, d, m);
          case Insn.ADD32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = (int) (r[a + l] + r[b + l]);
            }
          }
          case Insn.SUB32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = (int) (r[a + l] - r[b + l]);
            }
          }
          case Insn.MUL_LO32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = (int) r[a + l] * (int) r[b + l];
            }
          }
          case Insn.MAD_LO32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = (int) r[a + l] * (int) r[b + l] + (int) r[c + l];
            }
          }
          case Insn.MUL_WIDE_U32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = (r[a + l] & U32) * (r[b + l] & U32);
            }
          }
          case Insn.MUL_WIDE_S32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = (long) (int) r[a + l] * (int) r[b + l];
            }
          }
          case Insn.ADD64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l] + r[b + l];
            }
          }
          case Insn.SUB64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l] - r[b + l];
            }
          }
          case Insn.MUL_LO64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l] * r[b + l];
            }
          }
          case Insn.MAD_LO64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l] * r[b + l] + r[c + l];
            }
          }
          // shl, shr: amounts are unsigned and clamp at the width.
          case Insn.SHL32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              long n = r[b + l] & U32;
              r[d + l] = n >= 32 ? 0 : (int) r[a + l] << n;
            }
          }
          case Insn.SHR_U32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              long n = r[b + l] & U32;
              r[d + l] = n >= 32 ? 0 : (int) r[a + l] >>> n;
            }
          }
          case Insn.SHR_S32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              long n = Math.min(r[b + l] & U32, 31);
              r[d + l] = (int) r[a + l] >> n;
            }
          }
          case Insn.SHL64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              long n = r[b + l] & U32;
              r[d + l] = n >= 64 ? 0 : r[a + l] << n;
            }
          }
          case Insn.SHR_U64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              long n = r[b + l] & U32;
              r[d + l] = n >= 64 ? 0 : r[a + l] >>> n;
            }
          }
          case Insn.SHR_S64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              long n = Math.min(r[b + l] & U32, 63);
              r[d + l] = r[a + l] >> n;
            }
          }
          // shf: funnel shift of the 64-bit b:a, .wrap takes the amount mod 32.
          case Insn.SHF_L_WRAP -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              long ba = (r[b + l] << 32) | (r[a + l] & U32);
              r[d + l] = (int) ((ba << (r[c + l] & 31)) >>> 32);
            }
          }
          case Insn.SHF_R_WRAP -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              long ba = (r[b + l] << 32) | (r[a + l] & U32);
              r[d + l] = (int) (ba >>> (r[c + l] & 31));
            }
          }
          // Logic on sign-extended 32-bit slots stays sign-extended, so one op serves both.
          case Insn.AND -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l] & r[b + l];
            }
          }
          case Insn.OR -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l] | r[b + l];
            }
          }
          case Insn.XOR -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l] ^ r[b + l];
            }
          }
          case Insn.NOT -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = ~r[a + l];
            }
          }
          case Insn.PRMT -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Alu.prmt((int) r[a + l], (int) r[b + l], (int) r[c + l]);
            }
          }
          case Insn.BFI32 -> {
            int e = s[3] << 5;
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = (int) Alu.bfi(r[a + l], r[b + l], (int) r[c + l], (int) r[e + l], 32);
            }
          }
          case Insn.BFI64 -> {
            int e = s[3] << 5;
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Alu.bfi(r[a + l], r[b + l], (int) r[c + l], (int) r[e + l], 64);
            }
          }
          case Insn.SETP -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Alu.compare(in.a, in.b, r[a + l], r[b + l]) ? 1 : 0;
            }
          }
          case Insn.SELP -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[c + l] != 0 ? r[a + l] : r[b + l];
            }
          }
          case Insn.CVT_ZEXT32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = r[a + l] & U32;
            }
          }
          case Insn.CVT_TRUNC32 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = (int) r[a + l];
            }
          }
          case Insn.CVT_F64_U64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Double.doubleToRawLongBits(Alu.unsignedToDouble(r[a + l]));
            }
          }
          case Insn.CVT_F64_S64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Double.doubleToRawLongBits((double) r[a + l]);
            }
          }
          // FP64, .rn: Java's double arithmetic and Math.fma round to nearest even.
          case Insn.FMA_F64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Double.doubleToRawLongBits(Math.fma(Double.longBitsToDouble(r[a + l]),
                  Double.longBitsToDouble(r[b + l]), Double.longBitsToDouble(r[c + l])));
            }
          }
          case Insn.MUL_F64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Double.doubleToRawLongBits(
                  Double.longBitsToDouble(r[a + l]) * Double.longBitsToDouble(r[b + l]));
            }
          }
          case Insn.ADD_F64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Double.doubleToRawLongBits(
                  Double.longBitsToDouble(r[a + l]) + Double.longBitsToDouble(r[b + l]));
            }
          }
          case Insn.SUB_F64 -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              int l = numberOfTrailingZeros(mm);
              r[d + l] = Double.doubleToRawLongBits(
                  Double.longBitsToDouble(r[a + l]) - Double.longBitsToDouble(r[b + l]));
            }
          }
          case Insn.LD_PARAM -> mem.loadParam(in, r, d, m);
          case Insn.LD_GLOBAL -> mem.loadGlobal(in, w, r, a, m, counts);
          case Insn.ST_GLOBAL -> mem.storeGlobal(in, w, r, s, m, counts);
          case Insn.LD_SHARED -> mem.loadShared(in, w, r, a, m, counts);
          case Insn.ST_SHARED -> mem.storeShared(in, w, r, s, m, counts);
          case Insn.ATOM_ADD_U64 -> mem.atomicAdd(in, r, d, a, b, m, counts);
          case Insn.CP_ASYNC -> mem.copyAsync(in, w, r, a, b, m, counts);
          case Insn.CP_COMMIT -> {
            for (int mm = m; mm != 0; mm &= mm - 1) {
              w.committed[numberOfTrailingZeros(mm)]++;
            }
          }
          case Insn.CP_WAIT -> mem.waitGroup(w, (int) in.imm, m);
          case Insn.MMA_M8N8K4_F64 -> {
            if (m != -1) {
              throw new Violation(KernelFault.LAUNCH_FAILED, numberOfTrailingZeros(~m),
                  "mma.sync.aligned without all 32 lanes of the warp (lanes "
                      + Integer.toHexString(m) + ")");
            }
            Mma.m8n8k4(r, s[0], s[1], s[2], s[3], in.dsts[0], in.dsts[1], mmaScratch);
          }
          case Insn.BAR -> {
            if (m != mask || mask != w.live()) {
              int missing = w.live() & ~m;
              throw new Violation(KernelFault.LAUNCH_FAILED, numberOfTrailingZeros(m == 0 ? mask
                  : m), "divergent bar.sync: lanes " + Integer.toHexString(missing)
                      + " of this warp do not reach it with the others");
            }
            w.pc = pc;
            w.mask = mask;
            w.state = Warp.AT_BARRIER;
            return;
          }
          case Insn.BRA -> {
            int taken = m;
            int notTaken = mask & ~m;
            int target = (int) in.imm;
            if (notTaken == 0) {
              pc = target;
            } else if (taken == 0) {
              pc++;
            } else if (target <= pc) {
              w.push(pc + 1, notTaken);
              pc = target;
              mask = taken;
            } else {
              w.push(target, taken);
              pc++;
              mask = notTaken;
            }
            if (w.pending > 0 && pc >= w.minPending) {
              pc = reconverge(w, pc, mask);
              mask = w.mask;
            }
            continue;
          }
          case Insn.EXIT -> {
            w.exited |= m;
            mask &= ~m;
            if (mask != 0) {
              pc++;
              break;
            }
            if (w.pending == 0) {
              w.state = Warp.DONE;
              w.mask = 0;
              return;
            }
            w.popMin();
            pc = w.pc;
            mask = w.mask;
            continue;
          }
          default -> throw new IllegalStateException("op " + in.op);
        }
        final int[] ds = in.dsts;
        for (int i = 0; i < ds.length; i++) {
          wr[ds[i]] |= m;
        }
        if (in.op != Insn.EXIT) {
          pc++;
        }
        if (w.pending > 0 && pc >= w.minPending) {
          pc = reconverge(w, pc, mask);
          mask = w.mask;
        }
      }
    } catch (Violation v) {
      throw cta.fault(v.code, pc, w, v.lane, v.getMessage());
    }
  }

  /** MinPC: runs the lowest-pc fragment, merging those that meet; sets w.mask, returns pc. */
  private static int reconverge(Warp w, int pc, int mask) {
    while (w.pending > 0 && pc >= w.minPending) {
      if (pc == w.minPending) {
        int keep = mask;
        w.popMin();
        mask = w.mask | keep;
      } else {
        w.push(pc, mask);
        w.popMin();
        pc = w.pc;
        mask = w.mask;
      }
    }
    w.mask = mask;
    return pc;
  }

  private Violation uninitialized(int slot, int written, int m) {
    int lane = numberOfTrailingZeros(m & ~written);
    return new Violation(KernelFault.LAUNCH_FAILED, lane, String.format(
        "read of register %s, never written by this thread", registerName(slot)));
  }

  private String registerName(int slot) {
    return slot < cta.entry.registerCount ? cta.entry.registerNames[slot] : "constant";
  }

  private void special(Warp w, int which, long[] r, int d, int m) {
    Cta t = cta;
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
