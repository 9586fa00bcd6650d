package org.gpuattest.kernels.emu;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * Runs one CTA: its warps in turn, each until it exits or waits at a barrier; a barrier
 * releases when every thread of the CTA waits at it (synccheck: a thread that exited instead,
 * or waits at another bar.sync, fails the launch). The instructions themselves run in
 * {@link Interpreter}. One instance per launch, reused for each of its CTAs.
 */
final class Cta {
  final KernelEntry entry;
  final Dim3 grid;
  final Dim3 block;
  final long[] args;
  final DeviceMemory memory;
  final EmulatedGpu gpu;
  final SharedMemory shared;
  final GlobalRaces globalRaces = new GlobalRaces();
  final Warp[] warps;
  final int threads;
  final double nsPerIssue;
  /** This launch's counts for the CTA running, or null when not counting. */
  long[] counts;
  /** This launch's dependency chains, or null when not asked for. */
  DependencyChains chains;

  int ctaX;
  int ctaY;
  int ctaZ;
  int sm;
  long timerBase;
  long issued;

  Cta(KernelEntry entry, Dim3 grid, Dim3 block, int dynamicSharedBytes, long[] args,
      DeviceMemory memory, EmulatedGpu gpu, double nsPerIssue) {
    this.entry = entry;
    this.grid = grid;
    this.block = block;
    this.args = args;
    this.memory = memory;
    this.gpu = gpu;
    this.nsPerIssue = nsPerIssue;
    this.threads = (int) block.count();
    int sharedBytes = entry.staticSharedBytes() + dynamicSharedBytes;
    this.shared = new SharedMemory(sharedBytes);
    this.warps = new Warp[(threads + 31) / 32];
    for (int i = 0; i < warps.length; i++) {
      warps[i] = new Warp(i, entry.slots());
    }
  }

  /**
   * Runs the CTA at (x, y, z) on SM {@code sm}, starting at virtual time {@code start}; its
   * warp-instructions issued.
   */
  long run(int x, int y, int z, int smId, long start, long[] ctaCounts) throws KernelFault {
    ctaX = x;
    ctaY = y;
    ctaZ = z;
    sm = smId;
    timerBase = start;
    issued = 0;
    counts = ctaCounts;
    shared.reset(shared.data.length);
    globalRaces.reset();
    for (Warp w : warps) {
      w.reset(w.index * 32, Math.min(32, threads - w.index * 32), entry.registerCount,
          entry.constants);
    }
    if (chains != null) {
      chains.startCta(warps.length, entry.slots());
    }
    Interpreter interpreter = new Interpreter(this);
    while (true) {
      for (Warp w : warps) {
        if (w.state == Warp.RUNNABLE) {
          interpreter.run(w);
        }
      }
      Warp waiting = null;
      Warp done = null;
      for (Warp w : warps) {
        if (w.state == Warp.AT_BARRIER) {
          if (waiting != null && waiting.pc != w.pc) {
            throw fault(KernelFault.LAUNCH_FAILED, w.pc, w, 0, String.format(
                "divergent barrier: warp %d waits at line %d, warp %d at line %d", waiting.index,
                entry.code[waiting.pc].line, w.index, entry.code[w.pc].line));
          }
          waiting = waiting == null ? w : waiting;
        }
        if (w.exited != 0 && done == null) {
          done = w;
        }
      }
      if (waiting == null) {
        if (chains != null) {
          chains.endCta();
        }
        return issued;
      }
      if (done != null) {
        int lane = Integer.numberOfTrailingZeros(done.exited);
        throw fault(KernelFault.LAUNCH_FAILED, waiting.pc, done, lane,
            "bar.sync not reached by every thread of the CTA: this thread exited while others"
                + " wait at it");
      }
      shared.barrier();
      if (chains != null) {
        chains.barrier();
      }
      if (counts != null) {
        counts[LaunchCounts.FIGURE_BASE + LaunchCounts.Figure.BARRIERS_RELEASED.ordinal()]++;
      }
      for (Warp w : warps) {
        w.state = Warp.RUNNABLE;
        w.pc++;
      }
    }
  }

  /** %globaltimer now: the CTA's start plus its issued work on the virtual clock. */
  long globalTimer() {
    return timerBase + (long) (issued * nsPerIssue);
  }

  KernelFault fault(int code, int pc, Warp w, int lane, String what) {
    int tid = w.firstThread + lane;
    int bx = block.x();
    int by = block.y();
    Insn in = entry.code[Math.min(pc, entry.code.length - 1)];
    return new KernelFault(code, String.format(
        "kernel %s, ptx line %d (%s), CTA (%d,%d,%d), thread (%d,%d,%d): %s", entry.name(),
        in.line, in.text, ctaX, ctaY, ctaZ, tid % bx, (tid / bx) % by, tid / (bx * by), what));
  }
}
