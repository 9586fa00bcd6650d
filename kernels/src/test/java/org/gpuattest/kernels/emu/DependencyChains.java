package org.gpuattest.kernels.emu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gpuattest.kernels.emu.LaunchCounts.Kind;

/**
 * Each warp's longest dependency chain through the registers, weighted by a latency per
 * instruction class, and what else a performance model needs that {@link LaunchCounts} does
 * not hold: the most warp-instructions any one warp issued (a warp issues at most one a cycle)
 * and the shared-memory wavefronts without conflicts (one per phase of a request with a lane
 * in it: 32 lanes for accesses up to 4 bytes, 16 for 8, 8 for 16, as {@link BankConflicts}).
 *
 * <p>The chain is dataflow, not issue order: an instruction starts when its sources (and
 * guard) are ready and ends its latency later; ptxas reorders the instructions anyway, so the
 * PTX order says little. A {@code bar.sync} joins the CTA's warps (nothing after it starts
 * before every warp's work before it has ended), and {@code cp.async.wait_group N} holds its
 * warp until the copies of every group but the newest N have landed, a global load's latency
 * after they were issued. With every latency 1 ({@link Latencies#unit}) the chain counts
 * instructions. It is a lower bound on a warp's time that no contention enters; the model
 * ({@code PerformanceModel}) sets it beside the throughput bounds.
 *
 * <p>Fed by the interpreter (one call per warp-instruction issued) when a launch is given one
 * ({@link Launch#run(KernelEntry, org.gpuattest.kernels.cuda.CudaDriver.Dim3,
 * org.gpuattest.kernels.cuda.CudaDriver.Dim3, int, long[], DeviceMemory, EmulatedGpu, long,
 * int, boolean, DependencyChains)}); one instance per launch, not thread-safe.
 */
public final class DependencyChains {
  /**
   * Cycles from issue until the result can be used, per instruction class ({@link Kind}
   * order); {@code globalLoad} is also how long a cp.async takes to land.
   */
  public record Latencies(int[] byKind) {
    public Latencies {
      if (byKind.length != Kind.values().length) {
        throw new IllegalArgumentException("one latency per instruction class: "
            + byKind.length);
      }
      byKind = byKind.clone();
    }

    /** Every instruction 1 cycle: the chain in instructions. */
    public static Latencies unit() {
      int[] l = new int[Kind.values().length];
      Arrays.fill(l, 1);
      return new Latencies(l);
    }

    public int of(Kind k) {
      return byKind[k.ordinal()];
    }
  }

  private final int[] latency;
  private final int globalLatency;
  private final List<long[]> perCta = new ArrayList<>();
  private long sharedWavefronts;

  /** The running CTA: per warp, the cycle each register slot is ready. */
  private long[][] ready;
  /** Per warp: nothing may start before this (a barrier's release, a cp.async wait). */
  private long[] floor;
  /** Per warp: the latest end of anything it issued. */
  private long[] end;
  private long[] issued;
  /** Per warp: completion of each committed cp.async group, and of the open group. */
  private long[][] groups;
  private int[] groupCount;
  private long[] openGroup;

  public DependencyChains(Latencies latencies) {
    this.latency = latencies.byKind();
    this.globalLatency = latencies.of(Kind.GLOBAL_LOAD);
  }

  void startCta(int warps, int slots) {
    ready = new long[warps][slots];
    floor = new long[warps];
    end = new long[warps];
    issued = new long[warps];
    groups = new long[warps][8];
    groupCount = new int[warps];
    openGroup = new long[warps];
  }

  /** Warp {@code w} issued {@code in} for the lanes {@code mask} (0: all guarded off). */
  void issue(int w, Insn in, int mask) {
    long[] r = ready[w];
    long start = floor[w];
    if (in.guard >= 0) {
      start = Math.max(start, r[in.guard]);
    }
    for (int s : in.srcs) {
      start = Math.max(start, r[s]);
    }
    long done = start + latency[in.counted];
    issued[w]++;
    end[w] = Math.max(end[w], done);
    if (mask != 0) {
      for (int d : in.dsts) {
        r[d] = done;
      }
    }
    switch (in.op) {
      case Insn.CP_ASYNC -> openGroup[w] = Math.max(openGroup[w], start + globalLatency);
      case Insn.CP_COMMIT -> {
        if (groupCount[w] == groups[w].length) {
          groups[w] = Arrays.copyOf(groups[w], 2 * groupCount[w]);
        }
        groups[w][groupCount[w]++] = openGroup[w];
        openGroup[w] = 0;
      }
      case Insn.CP_WAIT -> {
        for (int g = 0; g < groupCount[w] - in.imm; g++) {
          floor[w] = Math.max(floor[w], groups[w][g]);
        }
      }
      case Insn.LD_SHARED, Insn.ST_SHARED -> sharedWavefronts += phases(mask, in.a * in.b);
      default -> { }
    }
  }

  private static int phases(int mask, int bytes) {
    int perPhase = bytes <= 4 ? 32 : 128 / bytes;
    int n = 0;
    for (int p = 0; p < 32; p += perPhase) {
      if ((mask >>> p & (int) ((1L << perPhase) - 1)) != 0) {
        n++;
      }
    }
    return n;
  }

  /** A bar.sync released: every warp goes on from the latest end of any warp's work. */
  void barrier() {
    long t = 0;
    for (int w = 0; w < end.length; w++) {
      t = Math.max(t, Math.max(end[w], floor[w]));
    }
    Arrays.fill(floor, t);
  }

  void endCta() {
    long chain = 0;
    long most = 0;
    for (int w = 0; w < end.length; w++) {
      chain = Math.max(chain, Math.max(end[w], floor[w]));
      most = Math.max(most, issued[w]);
    }
    perCta.add(new long[] {chain, most});
  }

  public int ctas() {
    return perCta.size();
  }

  /** CTA {@code cta}'s (in launch order) longest chain: when its last warp's work ends. */
  public long chain(int cta) {
    return perCta.get(cta)[0];
  }

  /** The longest chain of any CTA. */
  public long longestChain() {
    return perCta.stream().mapToLong(c -> c[0]).max().orElse(0);
  }

  /** The most warp-instructions one warp of CTA {@code cta} issued. */
  public long warpIssues(int cta) {
    return perCta.get(cta)[1];
  }

  /** The most warp-instructions one warp of any CTA issued. */
  public long mostWarpIssues() {
    return perCta.stream().mapToLong(c -> c[1]).max().orElse(0);
  }

  /** Shared-memory wavefronts of every shared load and store, conflicts not included. */
  public long sharedWavefronts() {
    return sharedWavefronts;
  }
}
