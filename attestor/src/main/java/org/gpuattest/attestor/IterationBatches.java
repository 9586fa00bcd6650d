package org.gpuattest.attestor;

/**
 * How many iterations to hand a device at once: one at first, then twice as many while a
 * batch takes under {@link #TARGET_NANOS}, so a GPU's host overhead (one wait and one copy
 * per batch) stays far below 2% of the work, while progress, interrupts and the deadline are
 * still looked at several times a second.
 */
final class IterationBatches {
  static final long TARGET_NANOS = 100_000_000L;
  static final int MAX = 64;
  private int size = 1;

  /** The next batch's size, at most {@code left}. */
  int next(int left) {
    return Math.max(1, Math.min(size, left));
  }

  /** Records that {@code count} iterations took {@code nanos}; grows or shrinks the size. */
  void took(int count, long nanos) {
    if (count < size) {
      return; // a short batch at a barrier says nothing about speed
    }
    if (nanos < TARGET_NANOS / 2 && size < MAX) {
      size *= 2;
    } else if (nanos > 2 * TARGET_NANOS && size > 1) {
      size /= 2;
    }
  }
}
