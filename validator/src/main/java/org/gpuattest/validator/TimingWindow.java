package org.gpuattest.validator;

/**
 * How long honest work on G devices of a profile takes, from the validator's side.
 * Work per device is 2 n^3 T floating-point operations (canonical-v1, "Product"); the devices
 * run in parallel, so the wall time is one device's. A run faster than the tensor-core peak is
 * impossible; one slower than the expected canonical rate times the slack, plus start-up and a
 * per-device allowance, is not the claimed hardware (docs/soundness.md, "Timing").
 */
public record TimingWindow(double minSeconds, double expectedSeconds, double maxSeconds) {
  public static double flopsPerDevice(int n, int iterations) {
    return 2.0 * n * n * (double) n * iterations;
  }

  public static TimingWindow of(GpuProfiles.Profile p, GpuProfiles.Defaults d, int n,
      int iterations, int devices) {
    double work = flopsPerDevice(n, iterations);
    double min = work / (p.fp64TensorTflops() * 1e12);
    double expected = work / (p.canonicalTflops() * 1e12);
    double max = expected * d.slack() + d.startupSeconds() + d.perDeviceSeconds() * devices;
    return new TimingWindow(min, expected, max);
  }

  /** Iterations that fill about {@code seconds} of canonical work at the profile's rate. */
  public static int iterationsFor(GpuProfiles.Profile p, int n, double seconds) {
    double perIteration = flopsPerDevice(n, 1) / (p.canonicalTflops() * 1e12);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(seconds / perIteration)));
  }

  /** Kernel time bounds for one device: not below the peak, not above the slack bound. */
  public double maxKernelSeconds(GpuProfiles.Defaults d) {
    return expectedSeconds * d.slack();
  }
}
