package org.gpuattest.validator.check;

import java.io.IOException;
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
  /** Every check, in the order a verdict lists them (docs/protocol.md section 8.3). */
  public static final List<String> CHECKS = List.of(
      "challenge.binding", "challenge.expiry", "challenge.replay", "signature.challenge",
      "signature.prover", "devices.backend", "devices.count", "devices.distinct",
      "devices.roots-distinct", "devices.model", "devices.sm-count", "sm.coverage",
      "sm.balance", "sm.busy", "timing.window", "timing.kernel", "timing.barriers",
      "openings.complete", "openings.exact");

  private final ReplayStore replay;
  private final Clock clock;

  public Verifier(ReplayStore replay, Clock clock) {
    this.replay = replay;
    this.clock = clock;
  }

  /**
   * @throws IOException the replay store cannot be written: the validator's fault, no verdict
   */
  public Verdict verify(Evidence e) throws IOException {
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
    checks.addAll(TimingChecks.all(e, e.clock().at()));
    checks.addAll(OpeningChecks.all(e));
    return Verdict.of(e.challenge().id(), checks);
  }
}
