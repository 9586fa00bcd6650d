package org.gpuattest.validator;

/**
 * How long honest work on G devices of a profile takes, from the validator's side
 * (docs/soundness.md section 6). Work per device is 2 n^3 T floating-point operations
 * (canonical-v1, "Product"); the devices run in parallel, so the wall time is one device's.
 * A run faster than the tensor-core peak is impossible; one slower than the window's maximum is
 * not the claimed hardware. The maximum depends on where the validator's clock started:
 * <ul>
 *   <li>ready/go ({@link #readyGo}): the prover prepared before the seed left, so the window
 *       is the work at the canonical rate within {@code tolerance}, plus the measured round
 *       trip (capped) and the commit step: max = W/rate x (1 + tolerance) + min(rtt, cap) +
 *       commitSeconds;</li>
 *   <li>from issue ({@link #of}): start-up is inside, so the window carries the start-up and
 *       per-device allowances and the slack: max = W/rate x slack + perIteration x T + startup
 *       + perDevice x G.</li>
 * </ul>
 *
 * @param launchSeconds per-iteration launch allowance, for timing.kernel
 * @param kernelFactor how much slower than the canonical rate a device's kernel time may be
 * @param fixedSeconds the allowances that do not grow with the work: what a slower device can
 *     spend undetected however long the challenge (the issuer's rule, {@link TimingStrength})
 * @param startupOutside whether the prover's start-up happened before the clock started
 */
public record TimingWindow(double minSeconds, double expectedSeconds, double maxSeconds,
    double launchSeconds, double kernelFactor, double fixedSeconds, boolean startupOutside) {
  public static double flopsPerDevice(int n, int iterations) {
    return 2.0 * n * n * (double) n * iterations;
  }

  /** The window of a run timed from the challenge's issue: start-up inside. */
  public static TimingWindow of(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n,
      int iterations, int devices) {
    double work = flopsPerDevice(n, iterations);
    double expected = work / (p.rateAt(n) * 1e12);
    double launches = d.perIterationSeconds() * iterations;
    double fixed = launches + d.startupSeconds() + d.perDeviceSeconds() * devices;
    return new TimingWindow(work / (p.fp64TensorTflops() * 1e12), expected,
        expected * d.slack() + fixed, launches, d.slack(), fixed, false);
  }

  /**
   * The window of a ready/go start: the clock started when the seed left, so only the work,
   * the measured round trip (at most {@code maxRoundTripSeconds}: a prover cannot buy time by
   * answering the ready slowly) and the commit step remain. Launch gaps are not added: the
   * canonical rate is the whole iteration's, as 'attestor bench' measures it.
   */
  public static TimingWindow readyGo(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n,
      int iterations, double roundTripSeconds) {
    double work = flopsPerDevice(n, iterations);
    double expected = work / (p.rateAt(n) * 1e12);
    double latency = Math.min(Math.max(0, roundTripSeconds), d.maxRoundTripSeconds())
        + d.commitSeconds();
    double factor = 1 + d.tolerance();
    double launches = d.perIterationSeconds() * iterations;
    return new TimingWindow(work / (p.fp64TensorTflops() * 1e12), expected,
        expected * factor + latency, launches, factor, latency + launches, true);
  }

  /** Iterations that fill about {@code seconds} of canonical work at the profile's rate. */
  public static int iterationsFor(GpuProfiles.Profile p, int n, double seconds) {
    double perIteration = flopsPerDevice(n, 1) / (p.rateAt(n) * 1e12);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(seconds / perIteration)));
  }

  /**
   * The longest plausible kernel time of one device: the work at the canonical rate times the
   * window's factor (slack from issue, 1 + tolerance after ready/go), plus a fixed allowance
   * per iteration for the gaps between kernel launches, which dominates at small n.
   */
  public double maxKernelSeconds() {
    return expectedSeconds * kernelFactor + launchSeconds;
  }

  /**
   * What any run inside this window proves, in claimed GPUs' canonical rate: G devices' work
   * done in at most maxSeconds is at least G x expected / max devices' worth (docs/soundness.md
   * section 6).
   */
  public double provenAtBound(int devices) {
    return devices * expectedSeconds / maxSeconds;
  }

  /** The throughput one run showed, in claimed GPUs' canonical rate; not capped at G. */
  public double provenDevices(int devices, double elapsedSeconds) {
    return devices * expectedSeconds / elapsedSeconds;
  }

  /** The share of the window that the fixed allowances take (the issuer's rule). */
  public double fixedShare() {
    return fixedSeconds / maxSeconds;
  }
}
