package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.junit.jupiter.api.Test;

/**
 * CTAs spread over the SMs as a block scheduler hands them out, and %globaltimer is a virtual
 * clock driven by the work done: the first wave goes round-robin, a later CTA starts on the SM
 * whose slot frees first and no earlier than that slot's previous CTA ended.
 */
class SchedulingTest {
  private final TinyPtx gpu = new TinyPtx();

  /** Thread 0 of each CTA: out[3c] = %smid, out[3c+1] = start, out[3c+2] = end timer. */
  private static final String BODY = "\tmov.u64 %rd5, %globaltimer;\n\tmov.u32 %r1, %tid.x;\n"
      + "\tmov.u32 %r6, %ctaid.x;\n\tmov.u32 %r2, 0;\n"
      // Busy work: CTA c loops 50 * (c + 1) times, so durations differ.
      + "\tadd.s32 %r7, %r6, 1;\n\tmul.lo.s32 %r7, %r7, 50;\n$L_loop:\n"
      + "\tadd.s32 %r2, %r2, 1;\n\tsetp.lt.s32 %p2, %r2, %r7;\n\t@%p2 bra $L_loop;\n"
      + "\tsetp.ne.s32 %p1, %r1, 0;\n\t@%p1 bra $L_done;\n"
      + "\tld.param.u64 %rd0, [out];\n\tmul.wide.u32 %rd2, %r6, 24;\n"
      + "\tadd.s64 %rd1, %rd0, %rd2;\n\tmov.u32 %r3, %smid;\n\tcvt.u64.u32 %rd3, %r3;\n"
      + "\tst.global.u64 [%rd1], %rd3;\n\tst.global.u64 [%rd1+8], %rd5;\n"
      + "\tmov.u64 %rd6, %globaltimer;\n\tst.global.u64 [%rd1+16], %rd6;\n$L_done:\n\tret;";

  @Test
  void ctasOneAtATimePerSm_firstWaveRoundRobin_laterOnTheFirstFreeSm() throws Exception {
    long out = gpu.buffer(8 * 24);
    KernelEntry e = TinyPtx.entry(".param .u64 out", BODY);
    LaunchResult r = Launch.run(e, Dim3.of(8), Dim3.of(64), 0, new long[] {out}, gpu.memory,
        gpu.gpu, 5_000, 1, false);
    long[] v = gpu.longs(out, 24);
    for (int c = 0; c < 4; c++) {
      assertEquals(c, v[3 * c], "CTA " + c + " of the first wave");
      assertEquals(5_000, v[3 * c + 1], "the first wave starts with the launch");
    }
    long lastEnd = 0;
    for (int c = 0; c < 8; c++) {
      assertTrue(v[3 * c + 2] > v[3 * c + 1], "CTA " + c + " took time");
      lastEnd = Math.max(lastEnd, v[3 * c + 2]);
    }
    // CTA 0 is the shortest, so SM 0 frees first and takes CTA 4, after CTA 0 ended.
    assertEquals(0, v[3 * 4]);
    assertTrue(v[3 * 4 + 1] >= v[2], "CTA 4 starts after CTA 0 ended");
    assertTrue(r.endNanos() >= lastEnd && r.startNanos() == 5_000);
  }

  @Test
  void moreWork_takesLongerOnTheVirtualClock() throws Exception {
    long out = gpu.buffer(8 * 24);
    KernelEntry e = TinyPtx.entry(".param .u64 out", BODY);
    LaunchResult four = Launch.run(e, Dim3.of(4), Dim3.of(64), 0, new long[] {out},
        gpu.memory, gpu.gpu, 0, 1, false);
    LaunchResult eight = Launch.run(e, Dim3.of(8), Dim3.of(64), 0, new long[] {out},
        gpu.memory, gpu.gpu, 0, 1, false);
    assertTrue(eight.endNanos() > four.endNanos(), four + " vs " + eight);
  }

  @Test
  void occupancy_fromThreadsAndSharedMemory() throws Exception {
    KernelEntry e = TinyPtx.entry(".param .u64 out", "\t.shared .align 8 .b8 s[40960];\n\tret;");
    // sm_80: 164 KiB per SM, 40 KiB + 1 KiB reserved per block: 4 blocks; 256 threads allow 8.
    assertEquals(4, Launch.residentPerSm(e, Dim3.of(256), 0, gpu.gpu.arch()));
    assertEquals(2, Launch.residentPerSm(e, Dim3.of(1024), 0, gpu.gpu.arch()));
  }
}
