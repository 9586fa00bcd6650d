package org.gpuattest.service.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;
import org.gpuattest.service.store.Store;

/**
 * When a provider is next due (docs/service.md, "Scheduling"): every interval, spread by a
 * jitter of up to {@link #JITTER} of it either way, so a fleet started at once does not stay in
 * step; after a failure, sooner, by a backoff that doubles from {@code retry} with each failure
 * in a row, up to the interval; after an interruption on the validator's side, after {@code
 * retry}, not counted as a failure.
 */
public final class Schedule {
  /** The jitter, as a fraction of the interval. */
  public static final double JITTER = 0.1;

  private final Duration retry;
  private final RandomGenerator random;

  public Schedule(Duration retry, RandomGenerator random) {
    this.retry = retry;
    this.random = random;
  }

  /** A new provider's first attestation: within the first tenth of its interval. */
  public Instant first(Duration interval, Instant now) {
    return now.plusMillis((long) (random.nextDouble() * JITTER * interval.toMillis()));
  }

  /**
   * @param failuresInARow counting the attestation that just ended
   */
  public Instant next(Store.State ended, Duration interval, int failuresInARow, Instant now) {
    return switch (ended) {
      case PASSED -> now.plusMillis(jittered(interval.toMillis()));
      case INTERRUPTED -> now.plus(min(retry, interval));
      default -> now.plusMillis(jittered(backoff(interval, failuresInARow).toMillis()));
    };
  }

  /** retry x 2^(failures - 1), at most the interval. */
  Duration backoff(Duration interval, int failuresInARow) {
    int doublings = Math.max(0, Math.min(30, failuresInARow - 1));
    Duration d = retry.multipliedBy(1L << doublings);
    return min(d, interval);
  }

  private long jittered(long millis) {
    double f = 1 + JITTER * (2 * random.nextDouble() - 1);
    return Math.max(1, Math.round(millis * f));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
