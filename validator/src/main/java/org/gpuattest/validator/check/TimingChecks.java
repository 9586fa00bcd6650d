package org.gpuattest.validator.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.Timing;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.TimingWindow;

/**
 * Timing evidence (docs/soundness.md, "Timing"): the validator's own clock from issue to
 * receipt against the profile's window; each device's kernel time against what the hardware
 * can do; and the barrier readings, which show the devices worked at the same time.
 */
final class TimingChecks {
  /** Allowance for clock granularity when comparing prover durations. */
  static final long SLOP_NANOS = 50_000_000L;

  private TimingChecks() {}

  static List<Check> all(Evidence e, java.time.Instant issued) {
    List<Check> out = new ArrayList<>();
    double elapsed = Duration.between(issued, e.receivedAt()).toNanos() / 1e9;
    if (e.cpuBackend()) {
      out.add(Check.skipped("timing.window", DeviceChecks.CPU_SKIP));
      out.add(Check.skipped("timing.kernel", DeviceChecks.CPU_SKIP));
    } else if (e.profile().isEmpty()) {
      out.add(Check.fail("timing.window", String.format("%.3f s", elapsed), "a profile",
          "No GPU profile for the claimed model, so no timing window."));
      out.add(Check.fail("timing.kernel", "-", "a profile", "No GPU profile to compare with."));
    } else {
      GpuProfiles.Profile p = e.profile().get();
      GpuProfiles.Defaults d = e.profiles().defaults();
      TimingWindow w = TimingWindow.of(p, d, e.challenge().dim(), e.challenge().iterations(),
          e.challenge().devices());
      out.add(window(elapsed, w, p));
      out.add(kernel(e, w, d));
    }
    out.add(barriers(e, elapsed));
    return out;
  }

  static Check window(double elapsed, TimingWindow w, GpuProfiles.Profile p) {
    String expected = String.format("%.3f s .. %.3f s", w.minSeconds(), w.maxSeconds());
    String measured = String.format("%.3f s", elapsed);
    String provisional = p.canonicalMeasured() ? "" : " (provisional bound: the profile's"
        + " canonical rate is not yet measured)";
    if (elapsed < w.minSeconds()) {
      return Check.fail("timing.window", measured, expected,
          "Faster than the GPUs' FP64 peak allows: the work was not all done." + provisional);
    }
    if (elapsed > w.maxSeconds()) {
      return Check.fail("timing.window", measured, expected,
          "Slower than " + p.model() + " GPUs would be: the work ran on slower or shared"
              + " hardware." + provisional);
    }
    return Check.pass("timing.window", measured, expected,
        "The commitment arrived within the profile's window." + provisional);
  }

  static Check kernel(Evidence e, TimingWindow w, GpuProfiles.Defaults d) {
    double lo = w.minSeconds();
    double hi = w.maxKernelSeconds(d);
    String expected = String.format("%.3f s .. %.3f s per device", lo, hi);
    for (DeviceReport r : e.commitment().devices()) {
      double k = r.timing().kernelNanos() / 1e9;
      if (k < lo || k > hi) {
        return Check.fail("timing.kernel", String.format("%.3f s (device %d)", k, r.index()),
            expected, k < lo ? "Device " + r.index() + " claims a kernel time faster than its"
                + " FP64 peak allows." : "Device " + r.index() + " ran slower than the claimed"
                + " model does.");
      }
    }
    return Check.pass("timing.kernel", "all devices in range", expected,
        "Every device's kernel time fits the claimed model.");
  }

  static Check barriers(Evidence e, double elapsedSeconds) {
    long latestStart = Long.MIN_VALUE;
    long earliestEnd = Long.MAX_VALUE;
    long longest = 0;
    for (DeviceReport r : e.commitment().devices()) {
      Timing t = r.timing();
      if (t.startNanos() > t.midNanos() || t.midNanos() > t.endNanos()) {
        return Check.fail("timing.barriers", "device " + r.index() + " out of order",
            "start <= mid <= end", "Device " + r.index() + "'s barrier times are not in order.");
      }
      if (t.kernelNanos() > t.endNanos() - t.startNanos() + SLOP_NANOS) {
        return Check.fail("timing.barriers", "device " + r.index() + " kernel longer than run",
            "kernel time <= end - start", "Device " + r.index() + " reports more kernel time"
                + " than passed between its start and end barriers.");
      }
      latestStart = Math.max(latestStart, t.startNanos());
      earliestEnd = Math.min(earliestEnd, t.endNanos());
      longest = Math.max(longest, t.endNanos() - t.startNanos());
    }
    if (latestStart > earliestEnd + SLOP_NANOS) {
      return Check.fail("timing.barriers", "windows apart by "
          + (latestStart - earliestEnd) / 1_000_000 + " ms", "all devices overlap",
          "The devices did not run at the same time: one device may be doing the work of"
              + " several, one after another.");
    }
    if (longest / 1e9 > elapsedSeconds + SLOP_NANOS / 1e9) {
      return Check.fail("timing.barriers", String.format("%.3f s run", longest / 1e9),
          String.format("<= %.3f s on the validator's clock", elapsedSeconds),
          "The prover claims to have run longer than the challenge has existed.");
    }
    return Check.pass("timing.barriers", String.format("%.3f s overlap",
        (earliestEnd - latestStart) / 1e9), "all devices overlap",
        "All devices ran between common barriers, at the same time.");
  }
}
