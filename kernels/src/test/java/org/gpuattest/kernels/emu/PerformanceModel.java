package org.gpuattest.kernels.emu;

import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.kernels.emu.LaunchCounts.Kind;

/**
 * Predicted time of a kernel launch on a named GPU, from the work the emulator counted
 * ({@link KernelProfile}) and the GPU's published figures ({@link GpuSpec}); and of the prove
 * loop's iteration from its kernels. A bound model, in the spirit of the roofline model [1]
 * and of analytical GPU models that set throughput beside latency [2]: one CTA alone on an
 * SM takes the longest of its throughput demands (issue, FP64, tensor, integer, shared memory)
 * and of its latency (its longest dependency chain, or one warp's instructions at one a
 * clock); r CTAs resident at once share the throughputs and overlap their latencies; the SM
 * with the most CTAs sets the kernel's time, unless L2 or DRAM bandwidth over the whole GPU
 * takes longer. Launch gaps and clock changes are not in it.
 *
 * <ol>
 *   <li>S. Williams, A. Waterman, D. Patterson, "Roofline: an insightful visual performance
 *       model for multicore architectures", CACM 52(4), 2009.
 *   <li>S. Hong, H. Kim, "An analytical model for a GPU architecture with memory-level and
 *       thread-level parallelism awareness", ISCA 2009.
 * </ol>
 */
public final class PerformanceModel {
  private PerformanceModel() {}

  /**
   * Latencies of the chains, cycles. Integer 4, shared load 20, global load 400 (a DRAM
   * access; 200 from L2): the table "Hardware features of different Nvidia GPU architectures"
   * (PMC10448217, Table 3), the same for Volta, Ampere and Hopper there. FP64 FMA 8: Jia et
   * al., "Dissecting the NVIDIA Volta GPU Architecture via Microbenchmarking" (2018), DFMA on
   * V100. mma.m8n8k4.f64 16 and the parameter and control classes: assumed, not published.
   */
  public static DependencyChains.Latencies latencies() {
    int[] l = new int[Kind.values().length];
    l[Kind.FP64_FMA.ordinal()] = 8;
    l[Kind.FP64_OTHER.ordinal()] = 8;
    l[Kind.DMMA.ordinal()] = 16;
    l[Kind.INTEGER.ordinal()] = 4;
    l[Kind.SHARED_LOAD.ordinal()] = 20;
    l[Kind.SHARED_STORE.ordinal()] = 1;
    l[Kind.GLOBAL_LOAD.ordinal()] = 400;
    l[Kind.GLOBAL_STORE.ordinal()] = 1;
    l[Kind.ATOMIC.ordinal()] = 400;
    l[Kind.CP_ASYNC.ordinal()] = 1;
    l[Kind.BARRIER.ordinal()] = 1;
    l[Kind.CONTROL.ordinal()] = 1;
    l[Kind.PARAM.ordinal()] = 4;
    return new DependencyChains.Latencies(l);
  }

  /** A launch's predicted time and what bounds it ("dmma", "shared", "chain", "dram", ...). */
  public record Prediction(double micros, String bound, int residentPerSm) {}

  /** As {@link #predict(KernelProfile, GpuSpec, double)} with the SM to itself. */
  public static Prediction predict(KernelProfile p, GpuSpec g) {
    return predict(p, g, 0);
  }

  /**
   * {@code p} on {@code g}, with {@code issueTaken} of every scheduler's issue slots used by
   * another kernel running beside it (so its warps issue less often).
   */
  public static Prediction predict(KernelProfile p, GpuSpec g, double issueTaken) {
    int r = occupancy(g.arch(), p.threads(), p.registers(), p.sharedBytes());
    double free = Math.max(0.05, 1 - issueTaken);
    String bound = "issue";
    double thr = p.warpInstructions() / SmArchitecture.SUB_PARTITIONS / free;
    double[] demands = {p.fp64Lanes() / g.fp64FmaPerClock(),
        p.dmma() * 512 / g.dmmaFlopsPerClock(), p.int32Lanes() / g.int32PerClock(),
        p.sharedWavefronts() / GpuSpec.SHARED_WAVEFRONTS_PER_CLOCK};
    String[] names = {"fp64", "dmma", "int32", "shared"};
    for (int i = 0; i < demands.length; i++) {
      if (demands[i] > thr) {
        thr = demands[i];
        bound = names[i];
      }
    }
    double latency = Math.max(p.chainCycles(), p.warpIssues() / free);
    String latencyBound = p.chainCycles() >= p.warpIssues() / free ? "chain" : "warp issue";
    long perSm = (p.ctas() + g.sms() - 1) / g.sms();
    double cycles = 0;
    boolean latencyBinds = false;
    for (long left = perSm; left > 0; left -= r) {
      long k = Math.min(r, left);
      cycles += Math.max(k * thr, latency);
      latencyBinds |= latency > k * thr;
    }
    double micros = cycles / (g.clockGhz() * 1000);
    if (latencyBinds) {
      bound = latencyBound;
    }
    double l2 = p.globalBytes() * p.ctas() / (g.l2GBs() * 1000);
    double dram = p.dramBytes() / (g.dramGBs() * 1000);
    if (l2 > micros) {
      micros = l2;
      bound = "l2";
    }
    if (dram > micros) {
      micros = dram;
      bound = "dram";
    }
    return new Prediction(micros, bound, r);
  }

  /**
   * The share of every scheduler's issue slots that {@code p} keeps busy while it runs on
   * {@code g}: its warp-instructions per SM over four schedulers' cycles.
   */
  public static double issueShare(KernelProfile p, GpuSpec g) {
    double micros = predict(p, g).micros();
    long perSm = (p.ctas() + g.sms() - 1) / g.sms();
    double cycles = micros * g.clockGhz() * 1000;
    return Math.min(1, p.warpInstructions() * perSm / SmArchitecture.SUB_PARTITIONS / cycles);
  }

  /**
   * Blocks of a kernel one SM holds at once, as the CUDA occupancy calculator counts them
   * (common's ProductGeometry.blocksPerSm, for any kernel): threads, registers per warp in
   * units of 256 over four sub-partitions, shared memory with the per-block reserve.
   */
  public static int occupancy(SmArchitecture a, int threads, int registers, int sharedBytes) {
    int warps = (threads + SmArchitecture.WARP - 1) / SmArchitecture.WARP;
    int byThreads = a.maxThreads() / SmArchitecture.WARP / warps;
    int perWarp = roundUp(registers * SmArchitecture.WARP, SmArchitecture.REGISTER_UNIT);
    int byRegisters = SmArchitecture.REGISTERS / SmArchitecture.SUB_PARTITIONS / perWarp
        * SmArchitecture.SUB_PARTITIONS / warps;
    int byShared = Integer.MAX_VALUE;
    if (sharedBytes > 0) {
      byShared = a.sharedBytes() / roundUp(sharedBytes + a.reservedSharedBytes(), a.sharedUnit());
    }
    return Math.max(0, Math.min(Math.min(a.maxBlocks(), byThreads),
        Math.min(byRegisters, byShared)));
  }

  /**
   * Whether one CTA of {@code other} fits on an SM of {@code g} beside as many CTAs of
   * {@code p} as its launch gives the busiest SM (at most its occupancy): threads, shared
   * memory, and each sub-partition's 16,384 registers, warps spread evenly over the four.
   */
  public static boolean fitsBeside(GpuSpec g, KernelProfile p, KernelProfile other) {
    SmArchitecture a = g.arch();
    int r = (int) Math.min(occupancy(a, p.threads(), p.registers(), p.sharedBytes()),
        (p.ctas() + g.sms() - 1) / g.sms());
    int warps = r * ((p.threads() + 31) / 32);
    int otherWarps = (other.threads() + 31) / 32;
    int perPartition = SmArchitecture.REGISTERS / SmArchitecture.SUB_PARTITIONS;
    int regs = (warps + 3) / 4 * roundUp(p.registers() * 32, SmArchitecture.REGISTER_UNIT)
        + (otherWarps + 3) / 4 * roundUp(other.registers() * 32, SmArchitecture.REGISTER_UNIT);
    int shared = r * roundUp(p.sharedBytes() + a.reservedSharedBytes(), a.sharedUnit())
        + roundUp(other.sharedBytes() + a.reservedSharedBytes(), a.sharedUnit());
    return r * p.threads() + other.threads() <= a.maxThreads() && regs <= perPartition
        && shared <= a.sharedBytes() && r + 1 <= a.maxBlocks();
  }

  private static int roundUp(int x, int unit) {
    return (x + unit - 1) / unit * unit;
  }
}
