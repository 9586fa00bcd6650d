package org.gpuattest.validator;

import java.util.Locale;
import java.util.Optional;

/**
 * The issuer's rule for challenges too small to mean anything (docs/soundness.md section 7):
 * the allowances that do not grow with the work (round trip at its cap, the commit step and
 * the kernel-launch allowance) may take at most {@link #MAX_FIXED_SHARE} of the window, or a
 * slower device could hide in them. A challenge timed from its issue carries the prover's
 * start-up and the slack in its window and proves a small fraction whatever its size, so it
 * is issued only when the operator asks for weak timing.
 */
public final class TimingStrength {
  /** The most of the window the fixed allowances may take. */
  public static final double MAX_FIXED_SHARE = 0.10;

  private TimingStrength() {}

  /**
   * The window a challenge of this size will be held to where the rule must still hold: for a
   * ready/go start, the round trip at its cap.
   */
  public static TimingWindow worstCase(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n,
      int iterations, int devices, ChallengeIssuer.TimedFrom from) {
    return from == ChallengeIssuer.TimedFrom.GO
        ? TimingWindow.readyGo(p, d, n, iterations, d.maxRoundTripSeconds())
        : TimingWindow.of(p, d, n, iterations, devices);
  }

  /**
   * Why this challenge's timing would mean little, as a refusal template naming request fields
   * as {FIELD}; empty when it meets the rule.
   */
  static Optional<String> weakness(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n,
      int iterations, int devices, ChallengeIssuer.TimedFrom from) {
    TimingWindow w = worstCase(p, d, n, iterations, devices, from);
    String proves = ProvenRate.ofClaim(w.provenAtBound(devices), devices, p.model());
    if (from == ChallengeIssuer.TimedFrom.ISSUE) {
      return Optional.of(String.format(Locale.ROOT, "a challenge timed from its issue has the"
          + " prover's start-up (%.0f s) and a slack of %.1f inside its window, so passing"
          + " proves at most %s; give {WEAK_TIMING} to issue it anyway", d.startupSeconds(),
          d.slack(), proves));
    }
    if (w.fixedShare() <= MAX_FIXED_SHARE) {
      return Optional.empty();
    }
    String head = String.format(Locale.ROOT, "%d iterations at {DIM} %d would prove at most %s:"
        + " the fixed allowances (%.3f s) are %.0f%% of the %.3f s window, over %.0f%%; ",
        iterations, n, proves, w.fixedSeconds(), 100 * w.fixedShare(), w.maxSeconds(),
        100 * MAX_FIXED_SHARE);
    double seconds = minSeconds(p, d, n);
    if (Double.isNaN(seconds)) {
      return Optional.of(head + String.format(Locale.ROOT, "no length is enough at {DIM} %d:"
          + " use {DIM} %d%s, or give {WEAK_TIMING} to issue it anyway", n, minDim(p, d),
          p.canonicalMeasured() ? "" : " or more"));
    }
    return Optional.of(head + String.format(Locale.ROOT, "ask for at least %.1f s of work with"
        + " {SECONDS}, or give {WEAK_TIMING} to issue it anyway", Math.ceil(seconds * 10) / 10));
  }

  /**
   * The least seconds of work at dim {@code n} whose ready/go window meets the rule, or NaN
   * when launches alone take over the share at this n. With A the round-trip cap plus commit,
   * L the launch allowance and E1 one iteration at the canonical rate, A + L T &lt;= share x
   * ((1 + tolerance) E1 T + A) gives T &gt;= (1 - share) A / (share (1 + tolerance) E1 - L).
   */
  public static double minSeconds(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n) {
    double perIteration = TimingWindow.flopsPerDevice(n, 1) / (p.rateAt(n) * 1e12);
    double gain = MAX_FIXED_SHARE * (1 + d.tolerance()) * perIteration - d.perIterationSeconds();
    if (gain <= 0) {
      return Double.NaN;
    }
    double fixed = d.maxRoundTripSeconds() + d.commitSeconds();
    return Math.ceil((1 - MAX_FIXED_SHARE) * fixed / gain) * perIteration;
  }

  /**
   * The least dim (a multiple of 64) at which some ready/go challenge meets the rule; of a
   * measured profile, the least of its calibrated dims ({@link GpuProfiles.Profile#issuableAt}).
   */
  public static int minDim(GpuProfiles.Profile p, GpuProfiles.Defaults d) {
    for (int n = 64; n <= org.gpuattest.common.Limits.MAX_DIM; n += 64) {
      if (p.issuableAt(n) && !Double.isNaN(minSeconds(p, d, n))) {
        return n;
      }
    }
    return org.gpuattest.common.Limits.MAX_DIM;
  }
}
