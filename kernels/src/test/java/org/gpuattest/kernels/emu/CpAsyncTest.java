package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * cp.async lands as late as the ISA allows: at the cp.async.wait_group that covers its group.
 * A read of the stage before that wait sees what was there before, so a kernel with a missing
 * or weakened wait computes with stale data here, as it may on a GPU.
 */
class CpAsyncTest {
  private final TinyPtx gpu = new TinyPtx();

  /**
   * Thread t: s[2t] = 1; copies in[2t..2t+1] into s[2t..2t+1] as group 0; reads s[2t]
   * ({@code before}), waits with {@code wait}, reads again, stores both into out[2t], out[2t+1].
   */
  private long[] run(String wait) throws Exception {
    long in = gpu.buffer(32 * 16);
    long out = gpu.buffer(32 * 16);
    long[] values = new long[64];
    for (int i = 0; i < 64; i++) {
      values[i] = 1000 + i;
    }
    gpu.put(in, values);
    String body = "\t.shared .align 16 .b8 s[512];\n"
        + "\tld.param.u64 %rd0, [out];\n\tld.param.u64 %rd10, [in];\n"
        + "\tmov.u32 %r1, %tid.x;\n\tmul.wide.u32 %rd2, %r1, 16;\n"
        + "\tadd.s64 %rd1, %rd0, %rd2;\n\tadd.s64 %rd11, %rd10, %rd2;\n"
        + "\tmov.u32 %r2, s;\n\tshl.b32 %r3, %r1, 4;\n\tadd.s32 %r4, %r2, %r3;\n"
        + "\tmov.u64 %rd3, 1;\n\tst.shared.u64 [%r4], %rd3;\n\tst.shared.u64 [%r4+8], %rd3;\n"
        + "\tcp.async.cg.shared.global [%r4], [%rd11], 16;\n\tcp.async.commit_group;\n"
        + "\tld.shared.u64 %rd4, [%r4];\n" + wait
        + "\tld.shared.u64 %rd5, [%r4];\n"
        + "\tst.global.u64 [%rd1], %rd4;\n\tst.global.u64 [%rd1+8], %rd5;\n\tret;";
    gpu.run(TinyPtx.entry(".param .u64 out, .param .u64 in", body), 1, 32, out, in);
    return gpu.longs(out, 64);
  }

  @Test
  void readBeforeTheWait_seesTheOldValue_andAfterItTheCopy() throws Exception {
    long[] got = run("\tcp.async.wait_group 0;\n");
    for (int t = 0; t < 32; t++) {
      assertEquals(1, got[2 * t], "before the wait, thread " + t);
      assertEquals(1000 + 2 * t, got[2 * t + 1], "after the wait, thread " + t);
    }
  }

  @Test
  void waitThatLeavesTheGroupOutstanding_landsNothing() throws Exception {
    long[] got = run("\tcp.async.wait_group 1;\n");
    for (int t = 0; t < 32; t++) {
      assertArrayEquals(new long[] {1, 1}, new long[] {got[2 * t], got[2 * t + 1]},
          "thread " + t);
    }
  }

  @Test
  void copyNeverCommitted_isNotWaitedFor() throws Exception {
    String ptx = "\t.shared .align 16 .b8 s[512];\n\tld.param.u64 %rd10, [in];\n"
        + "\tmov.u32 %r2, s;\n\tcp.async.cg.shared.global [%r2], [%rd10], 16;\n"
        + "\tcp.async.wait_group 0;\n\tld.shared.u64 %rd4, [%r2];\n\tret;";
    long in = gpu.buffer(16);
    KernelFault f = assertThrows(KernelFault.class, () ->
        gpu.run(TinyPtx.entry(".param .u64 out, .param .u64 in", ptx), 1, 1, 0L, in));
    assertTrue(f.getMessage().contains("uninitialized shared read"), f.getMessage());
  }

  @Test
  void copyFromOutsideEveryAllocation_faultsWhenIssued() throws Exception {
    String ptx = "\t.shared .align 16 .b8 s[512];\n\tld.param.u64 %rd10, [in];\n"
        + "\tmov.u32 %r2, s;\n\tcp.async.cg.shared.global [%r2], [%rd10+16], 16;\n\tret;";
    long in = gpu.buffer(16);
    KernelFault f = assertThrows(KernelFault.class, () ->
        gpu.run(TinyPtx.entry(".param .u64 out, .param .u64 in", ptx), 1, 1, 0L, in));
    assertEquals(KernelFault.ILLEGAL_ADDRESS, f.code());
    assertTrue(f.getMessage().contains("cp.async source"), f.getMessage());
  }
}
