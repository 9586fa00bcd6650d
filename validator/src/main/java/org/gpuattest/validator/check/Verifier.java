package org.gpuattest.validator.check;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ReplayStore;

/**
 * Runs every check on one attestation and returns the verdict: pass only if no check failed.
 * Each check is one line with its measured value, its bound and what to do about a failure.
 */
public final class Verifier {
  private final ReplayStore replay;
  private final Clock clock;

  public Verifier(ReplayStore replay, Clock clock) {
    this.replay = replay;
    this.clock = clock;
  }

  public Verdict verify(Evidence e) {
    List<Check> checks = new ArrayList<>();
    checks.add(BindingChecks.binding(e));
    checks.add(BindingChecks.expiry(e));
    checks.add(BindingChecks.replay(e, replay, clock.instant()));
    checks.addAll(BindingChecks.signatures(e));
    checks.add(DeviceChecks.backend(e));
    checks.add(DeviceChecks.count(e));
    checks.add(DeviceChecks.distinct(e));
    checks.add(DeviceChecks.rootsDistinct(e));
    checks.addAll(DeviceChecks.model(e));
    checks.addAll(SmChecks.all(e));
    checks.addAll(TimingChecks.all(e, e.challenge().issued()));
    checks.addAll(OpeningChecks.all(e));
    return Verdict.of(e.challenge().id(), checks);
  }
}
