package org.gpuattest.kernels.emu;

import java.util.Arrays;

/**
 * One warp's state: its lanes' registers (slot-major, 32 lanes per slot), which lanes wrote
 * each slot (the sanitizer's initcheck of registers), and where its lanes are. Divergent lanes
 * are kept as fragments (pc, lane mask); the fragment with the lowest pc runs first and
 * fragments that reach the same pc merge (the "MinPC" reconvergence of Collange's thread
 * frontiers), which reconverges structured code where an immediate post-dominator stack would.
 * Pending cp.async copies wait here for the wait_group that lands them.
 */
final class Warp {
  static final int RUNNABLE = 0;
  static final int AT_BARRIER = 1;
  static final int DONE = 2;

  final int index;
  final long[] r;
  final int[] written;
  /** Linear thread index of lane 0, and the lanes that exist (a partial last warp has fewer). */
  int firstThread;
  int existing;
  int exited;
  int pc;
  int mask;
  int state;

  int[] pendPc = new int[4];
  int[] pendMask = new int[4];
  int pending;
  int minPending = Integer.MAX_VALUE;

  /** cp.async: groups committed per lane, and the copies not yet landed. */
  final int[] committed = new int[32];
  int copies;
  int[] copyLane = new int[64];
  int[] copyGroup = new int[64];
  int[] copyShared = new int[64];
  int[] copySize = new int[64];
  long[] copyGlobal = new long[64];

  Warp(int index, int slots) {
    this.index = index;
    this.r = new long[slots * 32];
    this.written = new int[slots];
  }

  /** Ready to run a new CTA's threads [first, first + count). */
  void reset(int first, int count, int registerCount, long[] constants) {
    firstThread = first;
    existing = count >= 32 ? -1 : (1 << count) - 1;
    exited = 0;
    pc = 0;
    mask = existing;
    state = RUNNABLE;
    pending = 0;
    minPending = Integer.MAX_VALUE;
    copies = 0;
    Arrays.fill(committed, 0);
    Arrays.fill(written, 0, registerCount, 0);
    for (int i = 0; i < constants.length; i++) {
      int slot = registerCount + i;
      Arrays.fill(r, slot << 5, (slot << 5) + 32, constants[i]);
      written[slot] = -1;
    }
  }

  int live() {
    return existing & ~exited;
  }

  /** Parks a fragment, merging it with one already at that pc. */
  void push(int atPc, int lanes) {
    for (int i = 0; i < pending; i++) {
      if (pendPc[i] == atPc) {
        pendMask[i] |= lanes;
        return;
      }
    }
    if (pending == pendPc.length) {
      pendPc = Arrays.copyOf(pendPc, pending * 2);
      pendMask = Arrays.copyOf(pendMask, pending * 2);
    }
    pendPc[pending] = atPc;
    pendMask[pending] = lanes;
    pending++;
    if (atPc < minPending) {
      minPending = atPc;
    }
  }

  /** Removes the parked fragment with the lowest pc into (pc, mask). */
  void popMin() {
    int best = 0;
    for (int i = 1; i < pending; i++) {
      if (pendPc[i] < pendPc[best]) {
        best = i;
      }
    }
    pc = pendPc[best];
    mask = pendMask[best];
    pending--;
    pendPc[best] = pendPc[pending];
    pendMask[best] = pendMask[pending];
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < pending; i++) {
      min = Math.min(min, pendPc[i]);
    }
    minPending = min;
  }

  void addCopy(int lane, int shared, long global, int size) {
    if (copies == copyLane.length) {
      int n = copies * 2;
      copyLane = Arrays.copyOf(copyLane, n);
      copyGroup = Arrays.copyOf(copyGroup, n);
      copyShared = Arrays.copyOf(copyShared, n);
      copySize = Arrays.copyOf(copySize, n);
      copyGlobal = Arrays.copyOf(copyGlobal, n);
    }
    copyLane[copies] = lane;
    copyGroup[copies] = committed[lane];
    copyShared[copies] = shared;
    copySize[copies] = size;
    copyGlobal[copies] = global;
    copies++;
  }
}
