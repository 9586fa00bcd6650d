package org.gpuattest.kernels.emu;

import static java.lang.Integer.numberOfTrailingZeros;

/**
 * Executes a warp's instructions, a warp-instruction at a time over the lanes of the running
 * fragment, with the sanitizer's checks on every access. Semantics per PTX ISA 9.0, one class
 * per instruction family named in {@link Insn} ({@link IntegerArithmetic}, {@link
 * LogicAndShift}, {@link ComparisonAndSelection}, {@link MoveAndConvert}, {@link
 * FloatingPoint}, {@link MemoryAccess}, {@link Mma}); the Control Flow Instructions (bra,
 * exit) and bar.sync stay here, since they move the warp's pc and mask. The loop dispatches
 * with one switch on {@link Insn#op} to static methods (or the CTA's one MemoryAccess), so the
 * hot loop allocates nothing and every call has one target for the JIT to inline.
 */
final class Interpreter {
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
          case Insn.MOV -> MoveAndConvert.mov(r, d, a, m);
          case Insn.SPECIAL -> MoveAndConvert.special(cta, w, in.a, r, d, m);
          case Insn.ADD32 -> IntegerArithmetic.add32(r, d, a, b, m);
          case Insn.SUB32 -> IntegerArithmetic.sub32(r, d, a, b, m);
          case Insn.MUL_LO32 -> IntegerArithmetic.mulLo32(r, d, a, b, m);
          case Insn.MAD_LO32 -> IntegerArithmetic.madLo32(r, d, a, b, c, m);
          case Insn.MUL_WIDE_U32 -> IntegerArithmetic.mulWideU32(r, d, a, b, m);
          case Insn.MUL_WIDE_S32 -> IntegerArithmetic.mulWideS32(r, d, a, b, m);
          case Insn.ADD64 -> IntegerArithmetic.add64(r, d, a, b, m);
          case Insn.SUB64 -> IntegerArithmetic.sub64(r, d, a, b, m);
          case Insn.MUL_LO64 -> IntegerArithmetic.mulLo64(r, d, a, b, m);
          case Insn.MAD_LO64 -> IntegerArithmetic.madLo64(r, d, a, b, c, m);
          case Insn.SHL32 -> LogicAndShift.shl32(r, d, a, b, m);
          case Insn.SHR_U32 -> LogicAndShift.shrU32(r, d, a, b, m);
          case Insn.SHR_S32 -> LogicAndShift.shrS32(r, d, a, b, m);
          case Insn.SHL64 -> LogicAndShift.shl64(r, d, a, b, m);
          case Insn.SHR_U64 -> LogicAndShift.shrU64(r, d, a, b, m);
          case Insn.SHR_S64 -> LogicAndShift.shrS64(r, d, a, b, m);
          case Insn.SHF_L_WRAP -> LogicAndShift.shfLWrap(r, d, a, b, c, m);
          case Insn.SHF_R_WRAP -> LogicAndShift.shfRWrap(r, d, a, b, c, m);
          case Insn.AND -> LogicAndShift.and(r, d, a, b, m);
          case Insn.OR -> LogicAndShift.or(r, d, a, b, m);
          case Insn.XOR -> LogicAndShift.xor(r, d, a, b, m);
          case Insn.NOT -> LogicAndShift.not(r, d, a, m);
          case Insn.PRMT -> LogicAndShift.prmt(r, d, a, b, c, m);
          case Insn.BFI32 -> LogicAndShift.bfi32(r, d, a, b, c, s[3] << 5, m);
          case Insn.BFI64 -> LogicAndShift.bfi64(r, d, a, b, c, s[3] << 5, m);
          case Insn.SETP -> ComparisonAndSelection.setp(r, d, in.a, in.b, a, b, m);
          case Insn.SELP -> ComparisonAndSelection.selp(r, d, a, b, c, m);
          case Insn.CVT_ZEXT32 -> MoveAndConvert.cvtZext32(r, d, a, m);
          case Insn.CVT_TRUNC32 -> MoveAndConvert.cvtTrunc32(r, d, a, m);
          case Insn.CVT_F64_U64 -> MoveAndConvert.cvtF64U64(r, d, a, m);
          case Insn.CVT_F64_S64 -> MoveAndConvert.cvtF64S64(r, d, a, m);
          case Insn.FMA_F64 -> FloatingPoint.fmaF64(r, d, a, b, c, m);
          case Insn.MUL_F64 -> FloatingPoint.mulF64(r, d, a, b, m);
          case Insn.ADD_F64 -> FloatingPoint.addF64(r, d, a, b, m);
          case Insn.SUB_F64 -> FloatingPoint.subF64(r, d, a, b, m);
          case Insn.LD_PARAM -> mem.loadParam(in, r, d, m);
          case Insn.LD_GLOBAL -> mem.loadGlobal(in, w, r, a, m, counts);
          case Insn.ST_GLOBAL -> mem.storeGlobal(in, w, r, s, m, counts);
          case Insn.LD_SHARED -> mem.loadShared(in, w, r, a, m, counts);
          case Insn.ST_SHARED -> mem.storeShared(in, w, r, s, m, counts);
          case Insn.ATOM_ADD_U64 -> mem.atomicAdd(in, r, d, a, b, m, counts);
          case Insn.CP_ASYNC -> mem.copyAsync(in, w, r, a, b, m, counts);
          case Insn.CP_COMMIT -> mem.commitGroup(w, m);
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

}
