package org.gpuattest.validator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The memory roots' deadline in 'validator attest' (docs/protocol.md section 3.2): what is left
 * of the prove deadline, never less than the memory window plus the grace, so that a
 * --prove-timeout fitted to the product's window does not cut off an honest memory phase.
 */
class MemoryDeadlineTest {
  @Test
  void memoryDeadline_plentyLeft_whatIsLeft() {
    assertEquals(Duration.ofSeconds(40), AttestCommand.memoryDeadline(Duration.ofSeconds(40),
        2.2));
  }

  @Test
  void memoryDeadline_proveTimeoutNearlySpent_theWindowPlusGrace() {
    Duration floor = Duration.ofMillis(2200).plus(AttestCommand.PROVE_GRACE);
    assertEquals(floor, AttestCommand.memoryDeadline(Duration.ofMillis(300), 2.2));
    assertEquals(floor, AttestCommand.memoryDeadline(Duration.ofSeconds(-3), 2.2),
        "already past the prove deadline");
  }

  @Test
  void memoryDeadline_noMemoryFigures_theGraceAtLeast() {
    assertEquals(AttestCommand.PROVE_GRACE, AttestCommand.memoryDeadline(Duration.ZERO, 0));
  }
}
