package org.gpuattest.validator;

import java.util.Locale;

/**
 * The proven throughput in words (docs/soundness.md section 6): "7.2 of 8 NVIDIA H100 80GB
 * HBM3 GPUs' canonical rate". A figure states what was proven, so it is rounded down, never up.
 */
public final class ProvenRate {
  private ProvenRate() {}

  /** {@code x} rounded down: one decimal from 1 up, three below. */
  public static String number(double x) {
    if (!Double.isFinite(x)) {
      return "-";
    }
    int decimals = Math.abs(x) >= 1 ? 1 : 3;
    double scale = Math.pow(10, decimals);
    // The nudge keeps 7.2, computed as 7.19999..., from printing as 7.1.
    double down = Math.floor(x * scale + 1e-9) / scale;
    return String.format(Locale.ROOT, "%." + decimals + "f", down);
  }

  /** "{proven} of {G} {model} GPUs' canonical rate". */
  public static String ofClaim(double proven, int devices, String model) {
    return number(proven) + " of " + devices + " " + model + (devices == 1 ? " GPU's"
        : " GPUs'") + " canonical rate";
  }
}
