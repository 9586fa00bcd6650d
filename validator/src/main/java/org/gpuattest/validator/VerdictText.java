package org.gpuattest.validator;

import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.Printable;

/**
 * A verdict as a person reads it: one line per check, then the result on the last line, each
 * line ended by {@code \n}. Checks quote what the prover sent (device names, UUIDs, digests),
 * so every string taken from the verdict goes through {@link Printable#escape}: no prover text
 * can end a line, print a "verdict:" line of its own, or drive the terminal.
 */
public final class VerdictText {
  private VerdictText() {}

  public static String format(Verdict v) {
    StringBuilder sb = new StringBuilder();
    int width = v.checks().stream().mapToInt(c -> Printable.escape(c.name()).length()).max()
        .orElse(10);
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
          java.util.Locale.ROOT).substring(0, 4), Printable.escape(c.name()),
          Printable.escape(c.message())));
      if (!c.status().equals(Check.SKIPPED)) {
        sb.append(String.format(" [measured %s; expected %s]", Printable.escape(c.measured()),
            Printable.escape(c.expected())));
      }
      sb.append('\n');
    }
    // '\n', not %n: a "\r\n" ending would put a control character in the text on Windows.
    sb.append(String.format("verdict: %s (challenge %s; %d passed, %d failed, %d skipped)\n",
        v.result().toUpperCase(java.util.Locale.ROOT), Printable.escape(v.challengeId()),
        passed, failed, skipped));
    return sb.toString();
  }
}
