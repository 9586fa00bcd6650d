package org.gpuattest.validator;

import java.util.Locale;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.validator.ChallengeIssuer.Field;
import org.gpuattest.validator.ChallengeIssuer.InvalidRequestException;

/**
 * The issuer's memory terms (docs/protocol.md section 4.1) and its rule for memory phases too
 * weak to mean anything (docs/soundness.md section 9), as {@link TimingStrength} is for the
 * timing: unless the request allows weak timing, a memory phase must keep {@code
 * memoryFraction} of the claimed model's memory (the challenge needs enough iterations for
 * that) and, with the round trip at its cap, prove at least {@link #MIN_PROVEN_SHARE} of that
 * resident: at a small n a product is cheaper to recompute than to read, and the window proves
 * little.
 */
final class MemoryStrength {
  /** The least share of the kept target that a passing memory phase must prove resident. */
  static final double MIN_PROVEN_SHARE = 0.5;

  private MemoryStrength() {}

  /**
   * The terms for this request, or null for none: not asked for, or the model's profile has no
   * memory figures (the verdict then says nothing about memory).
   *
   * @throws InvalidRequestException asked for from the issue (the separate commands have no
   *     memory step), or too weak (above) without weak timing
   */
  static ChallengeMemory terms(ChallengeIssuer.Request r, GpuProfiles.Profile p,
      GpuProfiles.Defaults d, int iterations) throws InvalidRequestException {
    if (!r.memory() || !p.hasMemoryFigures()) {
      return null;
    }
    if (r.timedFrom() == ChallengeIssuer.TimedFrom.ISSUE) {
      throw new InvalidRequestException(Field.MEMORY, "the memory phase follows the commitment"
          + " in the attest conversation; a challenge timed from its issue has none");
    }
    ChallengeMemory m = MemoryWindow.terms(p, d, r.dim(), iterations, r.devices());
    if (m == null) {
      throw new InvalidRequestException(Field.MEMORY, String.format(Locale.ROOT, "at {DIM} %d"
          + " the memory phase would keep too many products on %d devices; use a larger"
          + " {DIM}, or give {MEMORY}", r.dim(), r.devices()));
    }
    if (r.weakTiming()) {
      return m;
    }
    long wanted = MemoryWindow.wantedProducts(p, d, r.dim());
    double target = wanted * 8.0 * r.dim() * r.dim();
    if (m.kept() < wanted) {
      throw new InvalidRequestException(r.iterations() != null ? Field.ITERATIONS
          : Field.SECONDS, String.format(Locale.ROOT, "keeping %.2f of the %d GiB of a %s at"
          + " {DIM} %d takes %d iterations, and this challenge has %d: ask for more work with"
          + " {ITERATIONS} or {SECONDS}, or give {MEMORY}", d.memoryFraction(), p.memoryGiB(),
          p.model(), r.dim(), wanted, iterations));
    }
    MemoryWindow w = MemoryWindow.of(p, d, r.dim(), m, d.maxRoundTripSeconds());
    if (w.provenBytes() < MIN_PROVEN_SHARE * target) {
      throw new InvalidRequestException(Field.DIM, String.format(Locale.ROOT, "at {DIM} %d the"
          + " memory phase would prove at most %.1f GiB of the %.1f GiB kept resident (a"
          + " product is cheap to recompute at this size), under %.0f%%: use a larger {DIM},"
          + " or give {MEMORY}", r.dim(), w.provenBytes() / MemoryWindow.GIB,
          target / MemoryWindow.GIB, 100 * MIN_PROVEN_SHARE));
    }
    return m;
  }
}
