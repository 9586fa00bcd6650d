package org.gpuattest.validator.check;

import static org.gpuattest.validator.check.TimingFixture.expected;
import static org.gpuattest.validator.check.TimingFixture.readyGo;
import static org.gpuattest.validator.check.TimingFixture.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.VerdictText;
import org.junit.jupiter.api.Test;

/**
 * The commitment's proverCpuNanos (docs/protocol.md 4.2, 8.3): shown as timing.window's figure
 * proverCpuSeconds and on the text verdict's "prover:" line; informational, so a run that
 * passes or fails does so whatever the prover reports there.
 */
class ProverCpuFigureTest {
  @Test
  void window_proverCpuReported_figureAddedAndOutcomeUnchanged() throws Exception {
    MessageCodec.Decoded<Challenge> c = TimingCheatsTest.defaultSize(2);
    for (double work : new double[] {expected(c.value()), 2 * expected(c.value())}) {
      Check plain = window(readyGo(c, work));
      Check reported = window(readyGo(c, work, 31_250_000L));
      assertFalse(plain.figures().containsKey("proverCpuSeconds"));
      assertEquals(0.03125, reported.figures().get("proverCpuSeconds"));
      // A prover that claims a huge or no commit step is judged the same.
      Check huge = window(readyGo(c, work, 600_000_000_000L));
      for (Check k : List.of(reported, huge)) {
        assertEquals(plain.status(), k.status(), k.message());
        assertEquals(plain.message(), k.message());
        Map<String, Double> rest = new LinkedHashMap<>(k.figures());
        rest.remove("proverCpuSeconds");
        assertEquals(plain.figures(), rest);
      }
    }
  }

  /** The CPU backend's skipped window carries the figure too: the demo shows it. */
  @Test
  void withProverCpu_skippedWindow_carriesTheFigureOnly() {
    Check skipped = Check.skipped("timing.window", DeviceChecks.CPU_SKIP);
    Check shown = TimingChecks.withProverCpu(skipped, 2_000_000L);
    assertEquals(Map.of("proverCpuSeconds", 0.002), shown.figures());
    assertEquals(Check.SKIPPED, shown.status());
    assertNull(TimingChecks.withProverCpu(skipped, null).figures());
  }

  @Test
  void format_proverCpuFigure_oneProverLineBeforeTheResult() {
    Check w = TimingChecks.withProverCpu(Check.skipped("timing.window", "cpu"), 31_250_000L);
    String text = VerdictText.format(Verdict.of("5d3a9c0e7b2f4a618c9e0d1f2a3b4c5d", List.of(w),
        null));
    assertTrue(text.contains("\nprover: 0.031 s of its own CPU work on the clock up to signing"
        + " (its report, not checked)\nverdict: PASS"), text);
    String without = VerdictText.format(Verdict.of("5d3a9c0e7b2f4a618c9e0d1f2a3b4c5d",
        List.of(Check.skipped("timing.window", "cpu")), null));
    assertFalse(without.contains("prover:"), without);
  }
}
