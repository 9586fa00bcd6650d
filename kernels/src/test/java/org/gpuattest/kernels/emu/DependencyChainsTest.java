package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.emu.LaunchCounts.Kind;
import org.junit.jupiter.api.Test;

/**
 * {@link DependencyChains} on hand-written kernels whose longest chains are worked out here by
 * reading them: a serial chain against the same instructions independent, a guard, a barrier
 * joining the warps, a cp.async landing at its wait, and the shared-memory phases.
 */
class DependencyChainsTest {
  /** INTEGER 4 cycles, FP64_FMA 8, GLOBAL_LOAD 500, the rest 1. */
  private static DependencyChains.Latencies latencies() {
    int[] l = new int[Kind.values().length];
    java.util.Arrays.fill(l, 1);
    l[Kind.INTEGER.ordinal()] = 4;
    l[Kind.FP64_FMA.ordinal()] = 8;
    l[Kind.GLOBAL_LOAD.ordinal()] = 500;
    return new DependencyChains.Latencies(l);
  }

  private static DependencyChains run(String params, String body, int threads, long... args)
      throws Exception {
    TinyPtx t = new TinyPtx();
    KernelEntry e = TinyPtx.entry(params, body);
    long[] a = args.clone();
    for (int i = 0; i < a.length; i++) {
      if (a[i] < 0) {
        a[i] = t.buffer((int) -a[i]);
      }
    }
    DependencyChains c = new DependencyChains(latencies());
    Launch.run(e, Dim3.of(1), Dim3.of(threads), 0, a, t.memory, t.gpu, 0, 1, false, c);
    return c;
  }

  /** Four adds each on the last: 4 x 4 cycles, after the mov's 4; ret is 1 (CONTROL). */
  @Test
  void chain_serialAdds_sumOfLatencies() throws Exception {
    DependencyChains c = run("", """
        \tmov.u32 %r1, 1;
        \tadd.s32 %r1, %r1, 1;
        \tadd.s32 %r1, %r1, 1;
        \tadd.s32 %r1, %r1, 1;
        \tadd.s32 %r1, %r1, 1;
        \tret;""", 32);
    assertEquals(4 + 4 * 4, c.longestChain());
    assertEquals(6, c.mostWarpIssues());
  }

  /** The same four adds on independent registers end together: one latency after the mov. */
  @Test
  void chain_independentAdds_oneLatency() throws Exception {
    DependencyChains c = run("", """
        \tmov.u32 %r1, 1;
        \tadd.s32 %r2, %r1, 1;
        \tadd.s32 %r3, %r1, 1;
        \tadd.s32 %r4, %r1, 1;
        \tadd.s32 %r5, %r1, 1;
        \tret;""", 32);
    assertEquals(4 + 4, c.longestChain());
  }

  /** Unit latencies count instructions on the longest path: mov, fma, fma, fma. */
  @Test
  void chain_unitLatencies_countsInstructions() throws Exception {
    TinyPtx t = new TinyPtx();
    KernelEntry e = TinyPtx.entry("", """
        \tmov.f64 %fd1, 0d3FF0000000000000;
        \tfma.rn.f64 %fd2, %fd1, %fd1, %fd1;
        \tfma.rn.f64 %fd3, %fd2, %fd1, %fd1;
        \tfma.rn.f64 %fd4, %fd3, %fd1, %fd1;
        \tfma.rn.f64 %fd5, %fd1, %fd1, %fd1;
        \tret;""");
    DependencyChains c = new DependencyChains(DependencyChains.Latencies.unit());
    Launch.run(e, Dim3.of(1), Dim3.of(32), 0, new long[0], t.memory, t.gpu, 0, 1, false, c);
    assertEquals(4, c.longestChain());
  }

  /**
   * A barrier: warp 0 runs a chain of three fma (8 each) after its mov, warp 1 nothing; after
   * the barrier warp 1's add starts only when warp 0's chain has ended (4 + 24), then 4 more.
   */
  @Test
  void chain_barrier_joinsTheWarps() throws Exception {
    DependencyChains c = run("", """
        \tmov.u32 %r1, %tid.x;
        \tsetp.ge.u32 %p1, %r1, 32;
        \tmov.f64 %fd1, 0d3FF0000000000000;
        \t@%p1 bra SKIP;
        \tfma.rn.f64 %fd1, %fd1, %fd1, %fd1;
        \tfma.rn.f64 %fd1, %fd1, %fd1, %fd1;
        \tfma.rn.f64 %fd1, %fd1, %fd1, %fd1;
        SKIP:
        \tbar.sync 0;
        \tadd.s32 %r2, %r1, 1;
        \tret;""", 64);
    assertEquals(4 + 3 * 8 + 4, c.longestChain());
  }

  /**
   * cp.async lands a global load's latency after it issued; wait_group 0 holds the warp until
   * then, so the shared load after it ends at 500 + its own cycle, whatever registers say.
   */
  @Test
  void chain_cpAsyncWait_waitsForTheCopy() throws Exception {
    DependencyChains c = run(".param .u64 src", """
        \t.shared .align 16 .b8 s[512];
        \tld.param.u64 %rd1, [src];
        \tmov.u32 %r1, s;
        \tcp.async.cg.shared.global [%r1], [%rd1], 16;
        \tcp.async.commit_group;
        \tcp.async.wait_group 0;
        \tld.shared.u32 %r2, [%r1];
        \tret;""", 1, -64);
    // ld.param (1) then the copy issues at 1 (its address) and lands at 501; the load after.
    assertEquals(Math.max(1, 4) + 500 + 1, c.longestChain());
  }

  /**
   * Phases of a shared request: 4-byte loads by 32 lanes are one, 8-byte two, 16-byte four;
   * a warp of 8 lanes reading 8 bytes each has lanes in one half only.
   */
  @Test
  void sharedWavefronts_perPhaseWithALane() throws Exception {
    String body = """
        \t.shared .align 16 .b8 s[1024];
        \tmov.u32 %r1, %tid.x;
        \tmov.u32 %r2, s;
        \tmad.lo.s32 %r3, %r1, 16, %r2;
        \tst.shared.v4.u32 [%r3], {%r1, %r1, %r1, %r1};
        \tbar.sync 0;
        \tld.shared.u32 %r4, [%r3];
        \tld.shared.u64 %rd4, [%r3];
        \tld.shared.v4.u32 {%r5, %r6, %r7, %r8}, [%r3];
        \tret;""";
    assertEquals(4 + 1 + 2 + 4, run("", body, 32).sharedWavefronts());
    assertEquals(1 + 1 + 1 + 1, run("", body, 8).sharedWavefronts());
  }
}
