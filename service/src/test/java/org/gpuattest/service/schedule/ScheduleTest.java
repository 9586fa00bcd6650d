package org.gpuattest.service.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.gpuattest.service.store.Store;
import org.junit.jupiter.api.Test;

/** When a provider is next due: interval with jitter, backoff after failures, retry after a stop. */
class ScheduleTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  private final Schedule schedule = new Schedule(Duration.ofSeconds(60),
      new SplittableRandom(42));

  @Test
  void backoff_doublesFromRetryUpToTheInterval() {
    assertEquals(Duration.ofSeconds(60), schedule.backoff(HOUR, 1));
    assertEquals(Duration.ofSeconds(120), schedule.backoff(HOUR, 2));
    assertEquals(Duration.ofSeconds(1920), schedule.backoff(HOUR, 6));
    assertEquals(HOUR, schedule.backoff(HOUR, 7), "capped at the interval");
    assertEquals(HOUR, schedule.backoff(HOUR, 1000), "no overflow");
  }

  @Test
  void next_passed_withinTenPercentOfTheIntervalAndSpread() {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 1000; i++) {
      long ms = Duration.between(NOW, schedule.next(Store.State.PASSED, HOUR, 0, NOW))
          .toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertTrue(min >= 0.9 * HOUR.toMillis() && max <= 1.1 * HOUR.toMillis(), min + " " + max);
    assertTrue(max - min > 0.1 * HOUR.toMillis(), "spread, not in step: " + min + " " + max);
  }

  @Test
  void next_failedTwice_backoffWithJitter_interruptedAfterTheRetry() {
    long failed = Duration.between(NOW, schedule.next(Store.State.FAILED, HOUR, 2, NOW))
        .toMillis();
    assertTrue(failed >= 108_000 && failed <= 132_000, "120 s +-10%: " + failed);
    assertEquals(NOW.plusSeconds(60), schedule.next(Store.State.INTERRUPTED, HOUR, 5, NOW),
        "an interruption on the validator's side is no failure of the provider");
  }

  @Test
  void first_withinTheFirstTenthOfTheInterval() {
    for (int i = 0; i < 100; i++) {
      Instant first = schedule.first(HOUR, NOW);
      assertTrue(!first.isBefore(NOW) && !first.isAfter(NOW.plus(HOUR.dividedBy(10))));
    }
  }
}
