package org.gpuattest.validator.check;

import java.util.Locale;
import org.gpuattest.validator.GpuProfiles;

/**
 * What a window that failed says when the round trip the validator measured before go was
 * over the cap its windows allow for it ({@code maxRoundTripSeconds}, docs/soundness.md section
 * 6): the excess came out of the tolerance, so an honest prover far enough from the validator
 * fails by design, and the verdict must say that rather than only blame its hardware.
 */
final class RoundTripNote {
  private RoundTripNote() {}

  /** The sentence, with a leading space, or "" when the round trip was within the cap. */
  static String ifOverCap(Evidence.ClockStart clock, GpuProfiles.Defaults d) {
    Double rtt = clock.roundTripSeconds();
    double cap = d.maxRoundTripSeconds();
    if (rtt == null || !(rtt > cap)) {
      return "";
    }
    return String.format(Locale.ROOT, " The round trip measured before go, %.3f s, is over"
        + " the %.3f s the window allows for it (maxRoundTripSeconds): the other %.3f s were"
        + " taken from the tolerance, and a prover this far from the validator can fail with"
        + " honest hardware; validate from nearer the prover.", rtt, cap, rtt - cap);
  }
}
