package org.gpuattest.validator;

/**
 * How long honest work on G devices of a profile takes, from the validator's side.
 * Work per device is 2 n^3 T floating-point operations (canonical-v1, "Product"); the devices
 * run in parallel, so the wall time is one device's. A run faster than the tensor-core peak is
 * impossible; one slower than the expected canonical rate times the slack, plus start-up and a
 * per-device allowance and a per-iteration launch allowance, is not the claimed hardware (docs/soundness.md, "Timing").
 */
public record TimingWindow(double minSeconds, double expectedSeconds, double maxSeconds,
    double launchSeconds) {
  public static double flopsPerDevice(int n, int iterations) {
    return 2.0 * n * n * (double) n * iterations;
  }

  public static TimingWindow of(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n,
      int iterations, int devices) {
    double work = flopsPerDevice(n, iterations);
    double min = work / (p.fp64TensorTflops() * 1e12);
    double expected = work / (p.canonicalTflops() * 1e12);
    double launches = d.perIterationSeconds() * iterations;
    double max = expected * d.slack() + launches + d.startupSeconds()
        + d.perDeviceSeconds() * devices;
    return new TimingWindow(min, expected, max, launches);
  }

  /** Iterations that fill about {@code seconds} of canonical work at the profile's rate. */
  public static int iterationsFor(GpuProfiles.Profile p, int n, double seconds) {
    double perIteration = flopsPerDevice(n, 1) / (p.canonicalTflops() * 1e12);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(seconds / perIteration)));
  }

  /**
   * The longest plausible kernel time of one device: the slack bound on the work, plus a fixed
   * allowance per iteration for kernel launches, which dominates at small n.
   */
  public double maxKernelSeconds(GpuProfiles.Defaults d) {
    return expectedSeconds * d.slack() + launchSeconds;
  }
}
