package org.gpuattest.validator.check;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that sampled-row recomputations in flight may hold together. Each device's
 * recomputation leases {@code SampledRows.bytesFor(rows, n)} before it allocates and returns
 * it when done, so however many threads verify at once (devices of one attestation, or many
 * attestations), the rows in flight fit: threads beyond what the heap holds wait their turn
 * instead of running the JVM out of memory. Waiting is first come, first served, so a large
 * device is not starved by small ones.
 *
 * <p>{@link #JVM} is the one budget of this JVM's heap: the same 80% of the maximum heap that
 * {@code Heap.shortfall} allows one request, which is what the challenge issuer checks one
 * device's rows against. A lease larger than the whole budget is granted the whole budget, so
 * it runs alone rather than never.
 */
final class HeapBudget {
  /** This JVM's heap, shared by every verification in it. */
  static final HeapBudget JVM = new HeapBudget(Runtime.getRuntime().maxMemory() / 10 * 8);

  private static final int UNIT = 1024; // permits are KiB: an int of them covers 2 TiB

  private final int permits;
  private final Semaphore free;
  private final AtomicLong leased = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();

  HeapBudget(long bytes) {
    permits = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / UNIT));
    free = new Semaphore(permits, true);
  }

  /** Memory held until {@link #close}. */
  final class Lease implements AutoCloseable {
    private final int units;
    private boolean closed;

    private Lease(int units) {
      this.units = units;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        leased.addAndGet(-(long) units * UNIT);
        free.release(units);
      }
    }
  }

  /**
   * Waits until {@code bytes} (rounded up to KiB, at most the whole budget) are free and takes
   * them.
   *
   * @throws InterruptedException interrupted while waiting; nothing is taken
   */
  Lease lease(long bytes) throws InterruptedException {
    int units = (int) Math.min(permits, Math.max(1, (bytes + UNIT - 1) / UNIT));
    free.acquire(units);
    long now = leased.addAndGet((long) units * UNIT);
    peak.accumulateAndGet(now, Math::max);
    return new Lease(units);
  }

  /** The most bytes leased at once so far, for tests. */
  long peakBytes() {
    return peak.get();
  }
}
