package org.gpuattest.validator.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.Timing;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ProvenRate;
import org.gpuattest.validator.TimingWindow;

/**
 * Timing evidence (docs/soundness.md section 6): the validator's own clock from where it
 * started (the go of a ready/go start, else the challenge's issue) to receipt against the
 * profile's window, with what passing proves; each device's kernel time against what the
 * hardware can do; and the barrier readings, which show the devices worked at the same time.
 */
final class TimingChecks {
  /** Allowance for clock granularity when comparing prover durations. */
  static final long SLOP_NANOS = 50_000_000L;

  private TimingChecks() {}

  static List<Check> all(Evidence e, java.time.Instant clockStart) {
    List<Check> out = new ArrayList<>();
    double elapsed = Duration.between(clockStart, e.receivedAt()).toNanos() / 1e9;
    Long proverCpu = e.commitment().proverCpuNanos();
    if (e.cpuBackend()) {
      out.add(withProverCpu(Check.skipped("timing.window", DeviceChecks.CPU_SKIP), proverCpu));
      out.add(Check.skipped("timing.kernel", DeviceChecks.CPU_SKIP));
    } else if (e.profile().isEmpty()) {
      out.add(withProverCpu(Check.fail("timing.window", String.format("%.3f s", elapsed),
          "a profile", "No GPU profile for the claimed model, so no timing window."),
          proverCpu));
      out.add(Check.fail("timing.kernel", "-", "a profile", "No GPU profile to compare with."));
    } else {
      TimingWindow w = window(e);
      out.add(withProverCpu(window(elapsed, w, e.profile().get(), e.challenge().devices(),
          e.clock(), e.profiles().defaults()), proverCpu));
      out.add(kernel(e, w));
    }
    out.add(barriers(e, elapsed));
    return out;
  }

  /**
   * The check with the prover's own report of its CPU work on the clock up to signing
   * (the commitment's proverCpuNanos, docs/protocol.md 4.2) as the figure proverCpuSeconds:
   * shown beside the window, never judged, since the prover could write any number there.
   */
  static Check withProverCpu(Check c, Long proverCpuNanos) {
    if (proverCpuNanos == null) {
      return c;
    }
    Map<String, Double> f = new LinkedHashMap<>();
    if (c.figures() != null) {
      f.putAll(c.figures());
    }
    f.put("proverCpuSeconds", proverCpuNanos / 1e9);
    return c.withFigures(f);
  }

  /** The window this evidence is held to: ready/go when start-up was outside the clock. */
  static TimingWindow window(Evidence e) {
    GpuProfiles.Profile p = e.profile().orElseThrow();
    GpuProfiles.Defaults d = e.profiles().defaults();
    int n = e.challenge().dim();
    int iterations = e.challenge().iterations();
    return e.clock().startupOutside()
        ? TimingWindow.readyGo(p, d, n, iterations, e.clock().roundTripSeconds())
        : TimingWindow.of(p, d, n, iterations, e.challenge().devices());
  }

  /**
   * The window check, its message stating what passing proves and what this run showed, in
   * claimed GPUs' canonical rate; the same as numbers in its figures (docs/protocol.md 8.3).
   */
  static Check window(double elapsed, TimingWindow w, GpuProfiles.Profile p, int devices,
      Evidence.ClockStart clock, GpuProfiles.Defaults d) {
    String expected = String.format("%.3f s .. %.3f s", w.minSeconds(), w.maxSeconds());
    String measured = String.format("%.3f s", elapsed);
    double atBound = w.provenAtBound(devices);
    double shown = elapsed > 0 ? w.provenDevices(devices, elapsed) : Double.POSITIVE_INFINITY;
    String proves = (w.startupOutside() ? "Passing proves at least "
        : "This window includes the prover's start-up: it proves only at least ")
        + ProvenRate.ofClaim(atBound, devices, p.model()) + " (this run: "
        + ProvenRate.number(shown) + (p.canonicalMeasured() ? "" : "; provisional: the"
        + " profile's canonical rate is not yet measured") + ").";
    Check c;
    if (elapsed < w.minSeconds()) {
      c = Check.fail("timing.window", measured, expected,
          "Faster than the GPUs' FP64 peak allows: the work was not all done. " + proves);
    } else if (elapsed > w.maxSeconds()) {
      c = Check.fail("timing.window", measured, expected,
          "Slower than " + p.model() + " GPUs would be: the work ran on slower, fewer or shared"
              + " hardware." + RoundTripNote.ifOverCap(clock, d) + " " + proves);
    } else {
      c = Check.pass("timing.window", measured, expected,
          "The commitment arrived within the profile's window. " + proves);
    }
    return c.withFigures(figures(w, devices, elapsed, atBound, shown, clock));
  }

  /** The window's numbers; a run of no measurable length has no provenDevices. */
  private static Map<String, Double> figures(TimingWindow w, int devices, double elapsed,
      double atBound, double shown, Evidence.ClockStart clock) {
    Map<String, Double> f = new LinkedHashMap<>();
    f.put("provenDevices", Double.isFinite(shown) ? shown : null);
    f.put("provenAtBound", atBound);
    f.put("claimedDevices", (double) devices);
    f.put("elapsedSeconds", elapsed);
    f.put("expectedSeconds", w.expectedSeconds());
    f.put("minSeconds", w.minSeconds());
    f.put("maxSeconds", w.maxSeconds());
    f.put("startupOutside", w.startupOutside() ? 1.0 : 0.0);
    if (clock.startupOutside()) {
      f.put("roundTripSeconds", clock.roundTripSeconds());
    }
    f.values().removeIf(v -> v == null);
    return f;
  }

  static Check kernel(Evidence e, TimingWindow w) {
    double lo = w.minSeconds();
    double hi = w.maxKernelSeconds();
    String expected = String.format("%.3f s .. %.3f s per device", lo, hi);
    double fastest = Double.POSITIVE_INFINITY;
    double slowest = 0;
    for (DeviceReport r : e.commitment().devices()) {
      double k = r.timing().kernelNanos() / 1e9;
      if (k < lo || k > hi) {
        return Check.fail("timing.kernel", String.format("%.3f s (device %d)", k, r.index()),
            expected, k < lo ? "Device " + r.index() + " claims a kernel time faster than its"
                + " FP64 peak allows." : "Device " + r.index() + " ran slower than the claimed"
                + " model does.").withFigures(Figures.of("kernelSeconds", k, "device",
                    r.index(), "minSeconds", lo, "maxSeconds", hi));
      }
      fastest = Math.min(fastest, k);
      slowest = Math.max(slowest, k);
    }
    return Check.pass("timing.kernel", "all devices in range", expected,
        "Every device's kernel time fits the claimed model.").withFigures(Figures.of(
            "fastestKernelSeconds", fastest, "slowestKernelSeconds", slowest, "minSeconds", lo,
            "maxSeconds", hi));
  }

  /**
   * The barrier readings in order, overlapping, and no run longer than the validator's clock
   * has run: from the go of a ready/go start, so preparing before it cannot be passed off as
   * work (docs/protocol.md, ready/go start).
   */
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
          e.clock().startupOutside() ? "The prover claims to have run longer than has passed"
              + " since the seed was sent." : "The prover claims to have run longer than the"
              + " challenge has existed.");
    }
    return Check.pass("timing.barriers", String.format("%.3f s overlap",
        (earliestEnd - latestStart) / 1e9), "all devices overlap",
        "All devices ran between common barriers, at the same time.").withFigures(Figures.of(
            "overlapSeconds", (earliestEnd - latestStart) / 1e9, "longestRunSeconds",
            longest / 1e9, "elapsedSeconds", elapsedSeconds));
  }
}
