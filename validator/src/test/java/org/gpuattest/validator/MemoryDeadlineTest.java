package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The memory roots' deadline, as 'validator attest' and 'validator serve' take it
 * (MemoryStep.deadline, docs/protocol.md section 3.2): what is left of the prove deadline,
 * never less than the memory window plus the grace, so that a prove deadline fitted to the
 * product's window does not cut off an honest memory phase.
 */
class MemoryDeadlineTest {
  private static final Duration GRACE = Duration.ofSeconds(5);

  @Test
  void deadline_plentyLeft_whatIsLeft() {
    assertEquals(Duration.ofSeconds(40), MemoryStep.deadline(Duration.ofSeconds(40), 2.2,
        GRACE));
  }

  @Test
  void deadline_proveTimeoutNearlySpent_theWindowPlusGrace() {
    Duration floor = Duration.ofMillis(2200).plus(GRACE);
    assertEquals(floor, MemoryStep.deadline(Duration.ofMillis(300), 2.2, GRACE));
    assertEquals(floor, MemoryStep.deadline(Duration.ofSeconds(-3), 2.2, GRACE),
        "already past the prove deadline");
  }

  @Test
  void deadline_noMemoryFigures_theGraceAtLeast() {
    assertEquals(GRACE, MemoryStep.deadline(Duration.ZERO, 0, GRACE));
  }
}
