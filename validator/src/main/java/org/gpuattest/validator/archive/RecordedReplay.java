package org.gpuattest.validator.archive;

import java.time.Instant;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ReplayGuard;

/**
 * The replay check as the archived verdict recorded it. The verification a re-verification
 * repeats used the challenge id, so asking the replay store again would always say "seen
 * before"; this answers what the store said then, and writes nothing (docs/protocol.md
 * section 8.5).
 */
final class RecordedReplay implements ReplayGuard {
  private final boolean firstUse;

  private RecordedReplay(boolean firstUse) {
    this.firstUse = firstUse;
  }

  /** First use unless the recorded challenge.replay check failed. */
  static RecordedReplay from(Verdict recorded) {
    boolean failed = recorded.checks().stream()
        .anyMatch(c -> c.name().equals("challenge.replay") && c.status().equals(Check.FAIL));
    return new RecordedReplay(!failed);
  }

  @Override
  public boolean claim(String challengeIdHex, Instant now) {
    return firstUse;
  }
}
