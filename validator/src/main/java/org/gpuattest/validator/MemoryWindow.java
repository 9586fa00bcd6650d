package org.gpuattest.validator;

import org.gpuattest.common.Limits;
import org.gpuattest.common.message.ChallengeMemory;

/**
 * The memory phase's window and what passing it proves (docs/soundness.md section 9). A device
 * keeps K products of 8 n^2 bytes and streams them P times, so honest passes at the profile's
 * memory bandwidth take e = P x keptBytes / memoryTBps; the window, from the memory seed's
 * sending to the memory roots' arrival on the validator's clock, is
 *
 * <pre>
 *   max = e x (1 + memoryTolerance) + min(rtt, maxRoundTripSeconds) + commitSeconds
 * </pre>
 *
 * <p>What an answer inside it proves is bounded by the adversary's best, taken generously: it
 * recomputes missing products at the model's FP64 tensor peak (2 n^3 a product, every pass)
 * and streams others from host memory over the host link, both while it streams the rest from
 * its own memory, so each costs only the window's length and nothing of the other. In max
 * seconds it can recompute max x peak / (P x 2 n^3) products and move max x link / P bytes a
 * pass; the rest was held in the device's own memory and read P times. Held compressed, at
 * least: an element's sign and 52 fraction bits are as good as random, but its exponent
 * carries under 3 bits of entropy (|C| is near sqrt(n) / 3), so a product fits in about 87% of
 * its bytes; {@link #INCOMPRESSIBLE_SHARE} counts only the 53 bits. What is left, {@link
 * #provenBytes}, was resident and read P times, at least at {@link #provenTBps}.
 *
 * @param keptBytes what one device keeps: K x 8 n^2
 * @param expectedSeconds e, the passes at the profile's memory bandwidth
 * @param fixedSeconds the round trip (capped) and the commit allowance
 * @param recomputableBytes the kept bytes a prover could recompute instead, inside max
 * @param hostBytes the kept bytes it could stream over the host link instead, inside max
 */
public record MemoryWindow(long keptBytes, int passes, double expectedSeconds,
    double maxSeconds, double fixedSeconds, double recomputableBytes, double hostBytes) {
  public static final double GIB = 1L << 30;
  /**
   * The share of a kept product's bytes no encoding can save: 53 of each element's 64 bits
   * (sign and fraction), its exponent taken as free (docs/soundness.md section 9).
   */
  public static final double INCOMPRESSIBLE_SHARE = 53.0 / 64;

  /**
   * The most a challenge's memory phase may take on this table, the round trip at its cap; 0
   * without a memory phase or a profile with its figures (the memory roots' least deadline in
   * 'validator attest', docs/protocol.md section 3.2).
   */
  public static double worstMaxSeconds(GpuProfiles profiles,
      org.gpuattest.common.message.Challenge c) {
    if (c.memory() == null) {
      return 0;
    }
    return profiles.find(c.model()).filter(GpuProfiles.Profile::hasMemoryFigures)
        .map(p -> of(p, profiles.defaults(), c.dim(), c.memory(),
            profiles.defaults().maxRoundTripSeconds()).maxSeconds())
        .orElse(0.0);
  }

  /** The window of a memory phase of these terms at size n, after a measured round trip. */
  public static MemoryWindow of(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n,
      ChallengeMemory m, double roundTripSeconds) {
    if (!p.hasMemoryFigures()) {
      throw new IllegalArgumentException(p.model() + " has no memoryTBps");
    }
    long kept = m.keptBytes(n);
    double expected = m.passes() * (double) kept / (p.memoryTBps() * 1e12);
    double fixed = Math.min(Math.max(0, roundTripSeconds), d.maxRoundTripSeconds())
        + d.commitSeconds();
    double max = expected * (1 + d.memoryTolerance()) + fixed;
    double perProduct = 8.0 * n * n;
    double recomputedProducts = Math.floor(max * p.fp64TensorTflops() * 1e12
        / (m.passes() * TimingWindow.flopsPerDevice(n, 1)));
    double recomputable = Math.min(kept, recomputedProducts * perProduct);
    double host = Math.min(kept, max * d.hostLinkTBps() * 1e12 / m.passes());
    return new MemoryWindow(kept, m.passes(), expected, max, fixed, recomputable, host);
  }

  /**
   * The bytes any answer inside the window proves resident on a device, compressed as far as
   * any encoding can: never below 0.
   */
  public double provenBytes() {
    return Math.max(0, keptBytes - recomputableBytes - hostBytes) * INCOMPRESSIBLE_SHARE;
  }

  /** The least rate at which those bytes were read, P times inside the window, TB/s. */
  public double provenTBps() {
    return provenBytes() * passes / maxSeconds / 1e12;
  }

  /** The share of the window the round trip and the commit allowance take. */
  public double fixedShare() {
    return fixedSeconds / maxSeconds;
  }

  /**
   * The memory terms the issuer asks of a challenge of T iterations at size n on G devices
   * (docs/protocol.md section 4.1): the last K iterations, K the least that fill {@code
   * memoryFraction} of the model's memory (all T where fewer), and P passes planned to take
   * {@code memorySeconds} at the profile's bandwidth, 1 to {@link Limits#MAX_PASSES}, and no
   * more than G x K x P within {@link Limits#MAX_MEMORY_VECTORS}.
   *
   * @return the terms, or null when even one pass of them breaks that limit
   */
  public static ChallengeMemory terms(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n,
      int iterations, int devices) {
    long wanted = wantedProducts(p, d, n);
    int kept = (int) Math.min(iterations, wanted);
    double perPass = kept * 8.0 * n * n / (p.memoryTBps() * 1e12);
    long passes = Math.max(1, Math.min(Limits.MAX_PASSES,
        Math.round(d.memorySeconds() / perPass)));
    passes = Math.min(passes, Limits.MAX_MEMORY_VECTORS / ((long) devices * kept));
    return passes < 1 ? null : new ChallengeMemory(1, kept, (int) passes);
  }

  /** The products of size n that fill memoryFraction of the model's memory, rounded up. */
  public static long wantedProducts(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n) {
    double target = d.memoryFraction() * p.memoryGiB() * GIB;
    return (long) Math.ceil(target / (8.0 * n * n));
  }
}
