package org.gpuattest.kernels.cuda;

import org.gpuattest.kernels.cuda.CudaDriver.Event;

/**
 * GPU time of the three phases of an iteration (fill A, product, hashing), summed over the
 * iterations since prepare, from events recorded between the kernels on the device's streams;
 * and the loop's time as a whole, from the first fill of each batch to the end of its last
 * hashing, in which the phases overlap.
 */
final class PhaseTimes {
  private long fillNanos;
  private long matmulNanos;
  private long hashNanos;
  private long iterations;
  private long loopNanos;

  void reset() {
    fillNanos = 0;
    matmulNanos = 0;
    hashNanos = 0;
    iterations = 0;
    loopNanos = 0;
  }

  /** Adds a batch's loop: from {@code start} (before its first fill) to {@code end}. */
  long addLoop(CudaDriver driver, Event start, Event end) throws CudaException {
    long loop = nanos(driver.elapsedMillis(start, end));
    loopNanos += loop;
    return loop;
  }

  /** The loops of every batch since the last reset, summed. */
  long loopNanos() {
    return loopNanos;
  }

  /**
   * Adds one iteration from its events (at {@code at}): before the fill, after it, after the
   * product (on the product's stream), then the start and end of its hashing (on the hashing
   * stream). Returns the three phases' sum: a phase figure, not the iteration's share of the
   * loop, since the hashing of one iteration overlaps the next ones' products.
   */
  long add(CudaDriver driver, Event[] marks, int at) throws CudaException {
    long fill = nanos(driver.elapsedMillis(marks[at], marks[at + 1]));
    long matmul = nanos(driver.elapsedMillis(marks[at + 1], marks[at + 2]));
    long hash = nanos(driver.elapsedMillis(marks[at + 3], marks[at + 4]));
    fillNanos += fill;
    matmulNanos += matmul;
    hashNanos += hash;
    iterations++;
    return fill + matmul + hash;
  }

  private static long nanos(float millis) {
    return Math.round(millis * 1e6);
  }

  long fillNanos() {
    return fillNanos;
  }

  long matmulNanos() {
    return matmulNanos;
  }

  long hashNanos() {
    return hashNanos;
  }

  long iterations() {
    return iterations;
  }
}
