package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The sanitizer (memcheck, initcheck, racecheck, synccheck): each finding fails the launch with
 * the code a GPU gives and a message naming kernel, PTX line, CTA, thread and address; the
 * same kernel without the defect runs.
 */
class SanitizerTest {
  private final TinyPtx gpu = new TinyPtx();
  private static final String SHARED = "\t.shared .align 8 .b8 s[256];\n";

  private KernelFault fault(String params, String body, int threads, long... args)
      throws Exception {
    KernelEntry e = TinyPtx.entry(params, body);
    return assertThrows(KernelFault.class, () -> gpu.run(e, 2, threads, args));
  }

  private void runs(String params, String body, int threads, long... args) throws Exception {
    gpu.run(TinyPtx.entry(params, body), 2, threads, args);
  }

  @Test
  void globalReadPastTheAllocation_isIllegalAddressNamingEverything() throws Exception {
    long out = gpu.buffer(32 * 8);
    KernelFault f = fault(".param .u64 out", TinyPtx.OUT_BY_TID
        + "\tld.global.u64 %rd3, [%rd1+256];\n\tst.global.u64 [%rd1], %rd3;\n\tret;", 32, out);
    assertEquals(KernelFault.ILLEGAL_ADDRESS, f.code());
    assertEquals(String.format("kernel k, ptx line 16 (ld.global.u64 %%rd3, [%%rd1+256]), CTA"
        + " (0,0,0), thread (0,0,0): out-of-bounds global read of 8 bytes at 0x%x: in no live"
        + " allocation", out + 256), f.getMessage());
    runs(".param .u64 out", TinyPtx.OUT_BY_TID
        + "\tld.global.u64 %rd3, [%rd1+0];\n\tst.global.u64 [%rd1], %rd3;\n\tret;", 32, out);
  }

  @Test
  void misalignedGlobalWrite_isMisalignedAddress() throws Exception {
    long out = gpu.buffer(64 * 8);
    KernelFault f = fault(".param .u64 out", TinyPtx.OUT_BY_TID
        + "\tst.global.u64 [%rd1+4], %rd0;\n\tret;", 32, out);
    assertEquals(KernelFault.MISALIGNED_ADDRESS, f.code());
    assertTrue(f.getMessage().contains(String.format("misaligned global write of 8 bytes at"
        + " 0x%x", out + 4)), f.getMessage());
  }

  @Test
  void paramReadPastItsParameter_isIllegalAddress() throws Exception {
    long out = gpu.buffer(8);
    KernelFault f = fault(".param .u64 out", "\tld.param.u64 %rd3, [out+8];\n\tret;", 32, out);
    assertEquals(KernelFault.ILLEGAL_ADDRESS, f.code());
    assertTrue(f.getMessage().contains("param read of 8 bytes at offset 8 of a 8-byte"),
        f.getMessage());
  }

  @Test
  void sharedWritePastTheCtasSharedMemory_isIllegalAddress() throws Exception {
    KernelFault f = fault(".param .u64 out", SHARED + "\tmov.u32 %r2, s;\n"
        + "\tmov.u32 %r1, %tid.x;\n\tmul.lo.s32 %r3, %r1, 8;\n\tadd.s32 %r4, %r2, %r3;\n"
        + "\tmov.u64 %rd0, 1;\n\tst.shared.u64 [%r4+8], %rd0;\n\tret;", 32, 0L);
    assertEquals(KernelFault.ILLEGAL_ADDRESS, f.code());
    assertTrue(f.getMessage().contains("thread (31,0,0): out-of-bounds shared write of 8 bytes"
        + " at 0x100 (the CTA has 256 bytes)"), f.getMessage());
  }

  @Test
  void sharedReadOfAWordNoThreadWrote_isInitcheck() throws Exception {
    KernelFault f = fault(".param .u64 out", SHARED + "\tmov.u32 %r2, s;\n"
        + "\tld.shared.u64 %rd3, [%r2+16];\n\tret;", 32, 0L);
    assertEquals(KernelFault.LAUNCH_FAILED, f.code());
    assertTrue(f.getMessage().endsWith("uninitialized shared read of 8 bytes at 0x10: no thread"
        + " wrote it"), f.getMessage());
  }

  /** Thread t writes s[t] then reads s[t ^ 1]: a race unless a barrier separates them. */
  private static String neighbour(String between) {
    return SHARED + "\tmov.u32 %r2, s;\n\tmov.u32 %r1, %tid.x;\n\tshl.b32 %r3, %r1, 3;\n"
        + "\tadd.s32 %r4, %r2, %r3;\n\tcvt.u64.u32 %rd3, %r1;\n\tst.shared.u64 [%r4], %rd3;\n"
        + between + "\txor.b32 %r5, %r3, 8;\n\tadd.s32 %r6, %r2, %r5;\n"
        + "\tld.shared.u64 %rd4, [%r6];\n\tret;";
  }

  @Test
  void readOfAnotherThreadsWriteWithoutABarrier_isARace_andWithOneRuns() throws Exception {
    KernelFault f = fault(".param .u64 out", neighbour(""), 32, 0L);
    assertEquals(KernelFault.LAUNCH_FAILED, f.code());
    assertTrue(f.getMessage().contains("thread (0,0,0): shared-memory race (read-after-write"
        + " hazard) at 0x8 with thread 1 between two barriers"), f.getMessage());
    runs(".param .u64 out", neighbour("\tbar.sync 0;\n"), 32, 0L);
  }

  @Test
  void twoThreadsWritingOneWord_isAWriteAfterWriteRace() throws Exception {
    KernelFault f = fault(".param .u64 out", SHARED + "\tmov.u32 %r2, s;\n"
        + "\tst.shared.u64 [%r2], %rd0;\n\tret;".replace("%rd0", "%rd5")
        .replace("\tst", "\tmov.u64 %rd5, 7;\n\tst"), 32, 0L);
    assertTrue(f.getMessage().contains("thread (1,0,0): shared-memory race (write-after-write"
        + " hazard) at 0x0 with thread 0"), f.getMessage());
  }

  @Test
  void globalWordWrittenByOneThreadReadByAnotherWithoutABarrier_isARace() throws Exception {
    long out = gpu.buffer(32 * 8);
    // Thread t writes out[t] then reads out[t ^ 1], as neighbour() does in shared memory.
    String body = TinyPtx.OUT_BY_TID + "\tcvt.u64.u32 %rd3, %r1;\n\tst.global.u64 [%rd1], %rd3;\n"
        + "BETWEEN\txor.b32 %r5, %r1, 1;\n\tmul.wide.u32 %rd5, %r5, 8;\n\tadd.s64 %rd6, %rd0, %rd5;\n"
        + "\tld.global.u64 %rd4, [%rd6];\n\tret;";
    KernelFault f = fault(".param .u64 out", body.replace("BETWEEN", ""), 32, out);
    assertEquals(KernelFault.LAUNCH_FAILED, f.code());
    assertTrue(f.getMessage().contains("thread (0,0,0): global-memory race (read-after-write"
        + " hazard) at 0x" + Long.toHexString(out + 8) + " with thread 1 between two barriers"),
        f.getMessage());
    runs(".param .u64 out", body.replace("BETWEEN", "\tbar.sync 0;\n"), 32, out);
  }

  @Test
  void barrierAThreadExitedBefore_isSynccheck() throws Exception {
    // Warp 1 (threads 32..63) leaves; warp 0 waits at the barrier for it.
    KernelFault f = fault(".param .u64 out", "\tmov.u32 %r1, %tid.x;\n"
        + "\tsetp.ge.u32 %p1, %r1, 32;\n\t@%p1 bra $L_out;\n\tbar.sync 0;\n$L_out:\n\tret;", 64,
        0L);
    assertEquals(KernelFault.LAUNCH_FAILED, f.code());
    assertTrue(f.getMessage().contains("thread (32,0,0): bar.sync not reached by every thread"
        + " of the CTA"), f.getMessage());
  }

  @Test
  void barrierReachedByHalfAWarp_isDivergent() throws Exception {
    KernelFault f = fault(".param .u64 out", "\tmov.u32 %r1, %tid.x;\n"
        + "\tsetp.ge.u32 %p1, %r1, 16;\n\t@%p1 bra $L_out;\n\tbar.sync 0;\n$L_out:\n\tret;", 32,
        0L);
    assertTrue(f.getMessage().contains("divergent bar.sync: lanes ffff0000 of this warp do not"
        + " reach it"), f.getMessage());
  }

  @Test
  void mmaByHalfAWarp_isRefused() throws Exception {
    KernelFault f = fault(".param .u64 out", "\tmov.u32 %r1, %tid.x;\n"
        + "\tmov.f64 %fd1, 0d3FF0000000000000;\n\tmov.f64 %fd2, 0d0000000000000000;\n"
        + "\tsetp.ge.u32 %p1, %r1, 16;\n\t@%p1 bra $L_out;\n"
        + "\tmma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 {%fd3, %fd4}, {%fd1}, {%fd1},"
        + " {%fd2, %fd2};\n$L_out:\n\tret;", 32, 0L);
    assertTrue(f.getMessage().contains("mma.sync.aligned without all 32 lanes of the warp"),
        f.getMessage());
  }

  @Test
  void readOfARegisterNeverWritten_isInitcheck() throws Exception {
    KernelFault f = fault(".param .u64 out", "\tmov.u32 %r1, %tid.x;\n"
        + "\tsetp.lt.u32 %p1, %r1, 5;\n\t@%p1 mov.u32 %r7, 1;\n\tadd.s32 %r8, %r7, 1;\n\tret;",
        32, 0L);
    assertEquals(KernelFault.LAUNCH_FAILED, f.code());
    assertTrue(f.getMessage().contains("thread (5,0,0): read of register %r7, never written by"
        + " this thread"), f.getMessage());
  }
}
