package org.gpuattest.kernels.emu;

import java.util.ArrayList;
import java.util.List;

/**
 * A launch's dynamic instruction counts by class, for the whole kernel and per CTA: the raw
 * material of a performance model, and a cheap view of what a kernel change costs. A
 * thread-instruction is one lane executing one instruction (a guarded-off lane does not count);
 * a warp-instruction is one issue of an instruction for the lanes of a warp that reach it.
 */
public final class LaunchCounts {
  /** Instruction classes. */
  public enum Kind {
    /** fma.rn.f64. */
    FP64_FMA,
    /** add/sub/mul.rn.f64 and cvt to f64. */
    FP64_OTHER,
    /** mma.sync m8n8k4 .f64: each warp-instruction is 256 FMAs. */
    DMMA,
    /** Integer arithmetic, logic, shifts, compares, selects, conversions, moves. */
    INTEGER,
    SHARED_LOAD,
    SHARED_STORE,
    GLOBAL_LOAD,
    GLOBAL_STORE,
    /** atom.global. */
    ATOMIC,
    /** cp.async copies, commits and waits. */
    CP_ASYNC,
    /** bar.sync, per warp that executes it. */
    BARRIER,
    /** bra, ret, exit. */
    CONTROL,
    /** ld.param. */
    PARAM
  }

  /** Figures other than instructions. */
  public enum Figure {
    /** Extra shared-memory wavefronts caused by bank conflicts (0 when conflict-free). */
    SHARED_BANK_CONFLICTS,
    GLOBAL_BYTES_READ,
    GLOBAL_BYTES_WRITTEN,
    /** Bytes copied global to shared by cp.async. */
    CP_ASYNC_BYTES,
    /** CTA-wide barrier releases. */
    BARRIERS_RELEASED
  }

  static final int KINDS = Kind.values().length;
  static final int WARP_BASE = KINDS;
  static final int FIGURE_BASE = 2 * KINDS;
  static final int SLOTS = FIGURE_BASE + Figure.values().length;

  private final String kernel;
  private final List<long[]> perCta;
  private final long[] total = new long[SLOTS];

  LaunchCounts(String kernel, List<long[]> perCta) {
    this.kernel = kernel;
    this.perCta = new ArrayList<>(perCta);
    for (long[] c : perCta) {
      for (int i = 0; i < SLOTS; i++) {
        total[i] += c[i];
      }
    }
  }

  public String kernel() {
    return kernel;
  }

  public int ctas() {
    return perCta.size();
  }

  public long threadInstructions(Kind k) {
    return total[k.ordinal()];
  }

  public long warpInstructions(Kind k) {
    return total[WARP_BASE + k.ordinal()];
  }

  public long figure(Figure f) {
    return total[FIGURE_BASE + f.ordinal()];
  }

  /** Thread-instructions of every class. */
  public long threadInstructions() {
    long s = 0;
    for (int i = 0; i < KINDS; i++) {
      s += total[i];
    }
    return s;
  }

  /** Warp-instructions of every class. */
  public long warpInstructions() {
    long s = 0;
    for (int i = 0; i < KINDS; i++) {
      s += total[WARP_BASE + i];
    }
    return s;
  }

  /** CTA {@code cta}'s (linear index, x fastest) thread-instructions of class {@code k}. */
  public long threadInstructions(int cta, Kind k) {
    return perCta.get(cta)[k.ordinal()];
  }

  public long warpInstructions(int cta, Kind k) {
    return perCta.get(cta)[WARP_BASE + k.ordinal()];
  }

  public long figure(int cta, Figure f) {
    return perCta.get(cta)[FIGURE_BASE + f.ordinal()];
  }

  /** One line per class and figure, for a report. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(kernel).append(": ").append(ctas()).append(" CTAs\n");
    for (Kind k : Kind.values()) {
      if (warpInstructions(k) != 0) {
        b.append(String.format("  %-14s %,16d thread-instructions %,14d warp-instructions%n",
            k, threadInstructions(k), warpInstructions(k)));
      }
    }
    for (Figure f : Figure.values()) {
      b.append(String.format("  %-22s %,16d%n", f, figure(f)));
    }
    return b.toString();
  }
}
