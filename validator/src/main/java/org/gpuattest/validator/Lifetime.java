package org.gpuattest.validator;

import java.time.Duration;
import java.util.Locale;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.util.Counts;
import org.gpuattest.validator.ChallengeIssuer.Field;
import org.gpuattest.validator.ChallengeIssuer.InvalidRequestException;
import org.gpuattest.validator.ChallengeIssuer.TimedFrom;

/**
 * A challenge's lifetime, issue to expiry (docs/protocol.md section 4.1). Never shorter than
 * the least lifetime, the time an honest prover may take before its commitment is due: after
 * a ready/go start its preparation (up to the request's prepare time, which 'validator attest'
 * waits for), the ping's pong (up to {@link ReadyGo#PONG_TIMEOUT}) and the ready/go window
 * with the round trip at its cap; timed from the issue,
 * the window from the issue (start-up inside). A shorter --ttl would let a prover that keeps
 * to both find the challenge expired, a failure by design. Never longer than {@link
 * ChallengeIssuer#MAX_TTL}, the default included: a challenge whose least lifetime does not fit
 * is refused. The default is the least lifetime, or the window from the issue where that is
 * longer (the lifetime before the prepare time was part of it), plus {@link
 * ChallengeIssuer#LIFETIME_MARGIN}. All arithmetic is in doubles, compared before any {@link
 * Duration} is made, so no figure can overflow one.
 */
final class Lifetime {
  private Lifetime() {}

  /**
   * @throws InvalidRequestException the least lifetime is over {@link ChallengeIssuer#MAX_TTL}
   *     (naming the work), or the request's ttl is under it (naming the ttl and the least)
   */
  static Duration of(ChallengeIssuer.Request r, GpuProfiles.Profile p, GpuProfiles.Defaults d,
      int iterations, ChallengeMemory memory) throws InvalidRequestException {
    boolean readyGo = r.timedFrom() == TimedFrom.GO;
    double prepare = !readyGo ? 0 : (r.prepare() != null ? r.prepare()
        : ChallengeIssuer.DEFAULT_PREPARE).toMillis() / 1e3;
    double window = TimingStrength.worstCase(p, d, r.dim(), iterations, r.devices(),
        r.timedFrom()).maxSeconds();
    // The memory phase follows the commitment inside the challenge's life too (§2.2).
    double memoryWindow = memory == null ? 0
        : MemoryWindow.of(p, d, r.dim(), memory, d.maxRoundTripSeconds()).maxSeconds();
    // Between 'ready' and the go the validator pings the prover and waits up to PONG_TIMEOUT
    // for the pong (docs/protocol.md section 3.2): a prover that keeps to it must not find
    // the challenge expired either.
    double ping = readyGo ? ReadyGo.PONG_TIMEOUT.toMillis() / 1e3 : 0;
    double least = prepare + ping + window + memoryWindow;
    long max = ChallengeIssuer.MAX_TTL.toSeconds();
    if (!(least <= max)) {
      throw new InvalidRequestException(r.iterations() != null ? Field.ITERATIONS
          : Field.SECONDS, String.format(Locale.ROOT, "%d iterations at {DIM} %d on %s need"
          + " a challenge that lives %s (%s), over the %d s (7 days) a challenge may live; ask"
          + " for less work with {ITERATIONS} or {DIM}", iterations, r.dim(),
          Counts.count(r.devices(), "device"), seconds(least), parts(readyGo, prepare, window, memoryWindow),
          max));
    }
    long leastSeconds = (long) Math.ceil(least);
    if (r.ttl() != null) {
      if (r.ttl().toMillis() < (long) Math.ceil(least * 1e3)) {
        throw new InvalidRequestException(Field.TTL, String.format(Locale.ROOT, "must be at"
            + " least %d s for this challenge (%s): a prover that keeps to %s would find a"
            + " shorter one expired; give at least %d, or leave {TTL} out for that plus %d s",
            leastSeconds, parts(readyGo, prepare, window, memoryWindow),
            readyGo ? "each deadline" : "the window",
            leastSeconds, ChallengeIssuer.LIFETIME_MARGIN.toSeconds()));
      }
      return r.ttl();
    }
    double fromIssue = TimingWindow.of(p, d, r.dim(), iterations, r.devices()).maxSeconds();
    double base = Math.min(Math.max(least, fromIssue), max);
    Duration lifetime = Duration.ofMillis((long) Math.ceil(base * 1e3))
        .plus(ChallengeIssuer.LIFETIME_MARGIN);
    return lifetime.compareTo(ChallengeIssuer.MAX_TTL) > 0 ? ChallengeIssuer.MAX_TTL : lifetime;
  }

  /**
   * "the prover's preparation, 60 s ({PREPARE}), the ping, 10 s, and the timing window, 11.4
   * s", with ", then
   * the memory phase's window, 2.2 s" where there is one.
   */
  private static String parts(boolean readyGo, double prepare, double window,
      double memoryWindow) {
    String w = "the timing window, " + seconds(window) + (memoryWindow == 0 ? ""
        : ", then the memory phase's window, " + seconds(memoryWindow));
    return readyGo ? "the prover's preparation, " + seconds(prepare) + " ({PREPARE}), the ping, "
        + seconds(ReadyGo.PONG_TIMEOUT.toMillis() / 1e3) + ", and " + w
        : w + " from the issue";
  }

  private static String seconds(double s) {
    return s < 86_400 ? String.format(Locale.ROOT, "%.1f s", s)
        : String.format(Locale.ROOT, "%.1f days", s / 86_400);
  }
}
