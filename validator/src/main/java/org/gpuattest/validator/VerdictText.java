package org.gpuattest.validator;

import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;

/** A verdict as a person reads it: one line per check, then the result. */
public final class VerdictText {
  private VerdictText() {}

  public static String format(Verdict v) {
    StringBuilder sb = new StringBuilder();
    int width = v.checks().stream().mapToInt(c -> c.name().length()).max().orElse(10);
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    for (Check c : v.checks()) {
      switch (c.status()) {
        case Check.PASS -> passed++;
        case Check.FAIL -> failed++;
        default -> skipped++;
      }
      sb.append(String.format("%-4s  %-" + width + "s  %s", c.status().toUpperCase(
          java.util.Locale.ROOT).substring(0, 4), c.name(), c.message()));
      if (!c.status().equals(Check.SKIPPED)) {
        sb.append(String.format(" [measured %s; expected %s]", c.measured(), c.expected()));
      }
      sb.append('\n');
    }
    sb.append(String.format("verdict: %s (challenge %s; %d passed, %d failed, %d skipped)%n",
        v.result().toUpperCase(java.util.Locale.ROOT), v.challengeId(), passed, failed,
        skipped));
    return sb.toString();
  }
}
