package org.gpuattest.kernels.emu;

/**
 * One kernel launch as the performance model sees it: the shape (CTAs, threads, registers,
 * shared memory), one CTA's work from an emulated run of it ({@link LaunchCounts} and
 * {@link DependencyChains}; every CTA of the shipped kernels does the same work, but for the
 * tree, which is one CTA), and the bytes the whole launch must move through DRAM at least.
 *
 * @param registers per thread, as ptxas allocates them (ptx/README.md)
 * @param warpInstructions one CTA's warp-instructions
 * @param fp64Lanes thread-instructions on the FP64 pipe (fma, add, mul, conversions)
 * @param dmma mma.m8n8k4.f64 warp-instructions (512 flop each)
 * @param int32Lanes integer and logic thread-instructions
 * @param sharedWavefronts shared-memory wavefronts: one per phase of each request, the bank
 *     conflicts' extra ones, and cp.async's bytes in 128-byte wavefronts
 * @param globalBytes bytes one CTA reads and writes in global memory (through L2)
 * @param chainCycles the CTA's longest dependency chain, latency-weighted, barriers included
 * @param warpIssues the most warp-instructions one of its warps issues
 * @param dramBytes the launch's compulsory DRAM traffic: what it must read and write once
 */
public record KernelProfile(String kernel, long ctas, int threads, int registers,
    int sharedBytes, double warpInstructions, double fp64Lanes, double dmma, double int32Lanes,
    double sharedWavefronts, double globalBytes, double chainCycles, double warpIssues,
    double dramBytes) {

  /** From a launch of one CTA (or, for a one-CTA kernel, the whole launch). */
  static KernelProfile of(String kernel, long ctas, int threads, int registers, int sharedBytes,
      LaunchCounts c, DependencyChains d, double dramBytes) {
    if (c.ctas() != 1 || d.ctas() != 1) {
      throw new IllegalArgumentException("a profile is taken from one CTA, not " + c.ctas());
    }
    double wavefronts = d.sharedWavefronts()
        + c.figure(LaunchCounts.Figure.SHARED_BANK_CONFLICTS)
        + (double) c.figure(LaunchCounts.Figure.CP_ASYNC_BYTES) / GpuSpec.WAVEFRONT_BYTES;
    return new KernelProfile(kernel, ctas, threads, registers, sharedBytes,
        c.warpInstructions(),
        c.threadInstructions(LaunchCounts.Kind.FP64_FMA)
            + c.threadInstructions(LaunchCounts.Kind.FP64_OTHER),
        c.warpInstructions(LaunchCounts.Kind.DMMA),
        c.threadInstructions(LaunchCounts.Kind.INTEGER), wavefronts,
        c.figure(LaunchCounts.Figure.GLOBAL_BYTES_READ)
            + c.figure(LaunchCounts.Figure.GLOBAL_BYTES_WRITTEN),
        d.longestChain(), d.mostWarpIssues(), dramBytes);
  }

  /** The same CTA in a launch of {@code n} CTAs that must move {@code dram} bytes. */
  KernelProfile withLaunch(long n, double dram) {
    return new KernelProfile(kernel, n, threads, registers, sharedBytes, warpInstructions,
        fp64Lanes, dmma, int32Lanes, sharedWavefronts, globalBytes, chainCycles, warpIssues,
        dram);
  }

  /** The same work with {@code r} registers per thread (ptxas allocates per architecture). */
  KernelProfile withRegisters(int r) {
    return new KernelProfile(kernel, ctas, threads, r, sharedBytes, warpInstructions, fp64Lanes,
        dmma, int32Lanes, sharedWavefronts, globalBytes, chainCycles, warpIssues, dramBytes);
  }

  /**
   * The CTA's work at size n, from runs at n1 and n2 where it is affine in n (a k-loop or a
   * row of n/8 + 1 SHA-256 blocks); the shape and DRAM traffic are n's.
   */
  static KernelProfile affine(KernelProfile at1, int n1, KernelProfile at2, int n2, int n,
      long ctas, double dramBytes) {
    double f = (double) (n - n1) / (n2 - n1);
    return new KernelProfile(at1.kernel, ctas, at1.threads, at1.registers, at1.sharedBytes,
        lerp(at1.warpInstructions, at2.warpInstructions, f), lerp(at1.fp64Lanes, at2.fp64Lanes, f),
        lerp(at1.dmma, at2.dmma, f), lerp(at1.int32Lanes, at2.int32Lanes, f),
        lerp(at1.sharedWavefronts, at2.sharedWavefronts, f),
        lerp(at1.globalBytes, at2.globalBytes, f), lerp(at1.chainCycles, at2.chainCycles, f),
        lerp(at1.warpIssues, at2.warpIssues, f), dramBytes);
  }

  private static double lerp(double a, double b, double f) {
    return a + (b - a) * f;
  }
}
