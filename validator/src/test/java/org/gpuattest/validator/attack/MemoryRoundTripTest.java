package org.gpuattest.validator.attack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.attack.MemoryProver.Cheat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory window allows the round trip only up to its cap (docs/protocol.md §8.3, check
 * 20): an honest prover 2 s away answers the memory seed 2 s late and fails memory.window,
 * and the verdict names the round trip as a reason, not only missing products.
 */
class MemoryRoundTripTest {
  @TempDir Path dir;

  private static Check window(Verdict v) {
    return v.checks().stream().filter(c -> c.name().equals("memory.window")).findFirst()
        .orElseThrow();
  }

  @Test
  void window_honestProverBeyondTheRoundTripCap_failureNamesTheRoundTrip() throws Exception {
    Verdict v = new MemoryHarness(dir, 1).run(Cheat.HONEST).roundTrip(Duration.ofSeconds(2))
        .memoryElapsed(Duration.ofMillis(2050)).verdict();
    Check w = window(v);
    assertTrue(w.failed(), w.message());
    assertTrue(w.message().contains("The round trip measured before go, 2.000 s, is over the"
        + " 0.250 s the window allows for it"), w.message());
  }

  @Test
  void window_lateWithinTheRoundTripCap_failureSaysNothingOfIt() throws Exception {
    Verdict v = new MemoryHarness(dir, 1).run(Cheat.HONEST)
        .memoryElapsed(Duration.ofSeconds(2)).verdict();
    Check w = window(v);
    assertTrue(w.failed(), w.message());
    assertFalse(w.message().contains("round trip"), w.message());
  }
}
