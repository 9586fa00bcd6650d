package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gpuattest.kernels.emu.LaunchCounts.Kind;
import org.junit.jupiter.api.Test;

/**
 * Divergent lanes run apart and reconverge where their paths meet (MinPC): after an if/else
 * and after a loop whose trip count differs per lane, the warp stores in one instruction.
 */
class WarpDivergenceTest {
  private final TinyPtx gpu = new TinyPtx();

  @Test
  void ifElse_eachLaneTakesItsSide_andTheWarpReconverges() throws Exception {
    long out = gpu.buffer(32 * 8);
    String body = TinyPtx.OUT_BY_TID + "\tand.b32 %r2, %r1, 1;\n\tsetp.eq.s32 %p1, %r2, 0;\n"
        + "\t@%p1 bra $L_even;\n\tmul.lo.s32 %r3, %r1, 3;\n\tbra.uni $L_join;\n$L_even:\n"
        + "\tmul.lo.s32 %r3, %r1, 2;\n$L_join:\n\tcvt.u64.u32 %rd3, %r3;\n"
        + "\tst.global.u64 [%rd1], %rd3;\n\tret;";
    LaunchResult r = gpu.run(TinyPtx.entry(".param .u64 out", body), 1, 32, out);
    long[] got = gpu.longs(out, 32);
    for (int t = 0; t < 32; t++) {
      assertEquals(t % 2 == 0 ? 2L * t : 3L * t, got[t], "thread " + t);
    }
    assertEquals(1, r.counts().warpInstructions(Kind.GLOBAL_STORE));
    assertEquals(32, r.counts().threadInstructions(Kind.GLOBAL_STORE));
  }

  @Test
  void loopWithATripCountPerLane_sumsAndReconverges() throws Exception {
    long out = gpu.buffer(32 * 8);
    // sum = 0 + 1 + ... + tid, by a loop that runs tid + 1 times.
    String body = TinyPtx.OUT_BY_TID + "\tmov.u32 %r2, 0;\n\tmov.u32 %r3, 0;\n$L_loop:\n"
        + "\tadd.s32 %r3, %r3, %r2;\n\tadd.s32 %r2, %r2, 1;\n\tsetp.le.u32 %p1, %r2, %r1;\n"
        + "\t@%p1 bra $L_loop;\n\tcvt.u64.u32 %rd3, %r3;\n\tst.global.u64 [%rd1], %rd3;\n\tret;";
    LaunchResult r = gpu.run(TinyPtx.entry(".param .u64 out", body), 1, 32, out);
    long[] got = gpu.longs(out, 32);
    for (int t = 0; t < 32; t++) {
      assertEquals((long) t * (t + 1) / 2, got[t], "thread " + t);
    }
    assertEquals(1, r.counts().warpInstructions(Kind.GLOBAL_STORE));
    // The loop body ran 32 times for lane 31, 1 time for lane 0: 528 lane-iterations.
    assertEquals(32, r.counts().warpInstructions(Kind.CONTROL) - 1);
  }

  @Test
  void lanesThatExitEarly_leaveTheRestToFinish() throws Exception {
    long out = gpu.buffer(40 * 8);
    String body = TinyPtx.OUT_BY_TID + "\tsetp.ge.u32 %p1, %r1, 20;\n\t@%p1 bra $L_done;\n"
        + "\tcvt.u64.u32 %rd3, %r1;\n\tst.global.u64 [%rd1], %rd3;\n$L_done:\n\tret;";
    gpu.run(TinyPtx.entry(".param .u64 out", body), 1, 40, out);
    long[] got = gpu.longs(out, 40);
    for (int t = 0; t < 40; t++) {
      assertEquals(t < 20 ? t : 0, got[t], "thread " + t);
    }
  }
}
