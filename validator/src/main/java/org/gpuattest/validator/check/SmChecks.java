package org.gpuattest.validator.check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.util.Counts;
import org.gpuattest.validator.GpuProfiles;

/**
 * What the monitored kernel says about the SMs (docs/protocol.md §8.3, checks 12-14): as many
 * distinct SMs ran blocks as the grid reaches (coverage), no SM ran far more than the others
 * (balance, the coefficient of variation of blocks per SM), and the SMs were busy for most of
 * the kernel's time. Each bound is derived per device from the product kernel it names and
 * the challenge's n ({@link SmBounds}), so the wave quantisation an honest GPU cannot avoid
 * never fails it. GPU-only.
 */
final class SmChecks {
  private SmChecks() {}

  static List<Check> all(Evidence e) {
    if (e.commitment().devices().stream().noneMatch(
        r -> r.backend().equals(DeviceReport.CUDA))) {
      return List.of(Check.skipped("sm.coverage", DeviceChecks.CPU_SKIP),
          Check.skipped("sm.balance", DeviceChecks.CPU_SKIP),
          Check.skipped("sm.busy", DeviceChecks.CPU_SKIP));
    }
    Integer profileSms = e.profile().map(GpuProfiles.Profile::smCount).orElse(null);
    return of(e.commitment().devices(), e.challenge().dim(), profileSms, e.profiles().defaults());
  }

  /**
   * The three checks for these reports at n, on the profile's SM count (each report's own
   * where there is no profile: devices.model fails then).
   */
  static List<Check> of(List<DeviceReport> reports, int n, Integer profileSms,
      GpuProfiles.Defaults d) {
    List<SmBounds> devices = new ArrayList<>();
    for (DeviceReport r : reports) {
      if (!r.backend().equals(DeviceReport.CUDA)) {
        continue; // a CPU report among CUDA ones: devices.backend fails it
      }
      devices.add(SmBounds.of(r, n, profileSms != null ? profileSms : r.smCount(),
          d.maxSmImbalance(), d.minBusyFraction()));
    }
    return List.of(coverage(devices), balance(devices), busy(devices));
  }

  /**
   * The first device for which {@code holds} is false, else the one with the least
   * {@code slack}: the device a check's figures describe.
   */
  private static SmBounds worst(List<SmBounds> devices, Predicate<SmBounds> holds,
      ToDoubleFunction<SmBounds> slack) {
    SmBounds worst = null;
    for (SmBounds b : devices) {
      if (!holds.test(b)) {
        return b;
      }
      if (worst == null || slack.applyAsDouble(b) < slack.applyAsDouble(worst)) {
        worst = b;
      }
    }
    return worst;
  }

  private static Check underived(String name, SmBounds b) {
    return Check.fail(name, "no bounds (device " + b.report().index() + ")",
        "a product kernel this validator knows, that runs at this n",
        b.problem() + ": the SM bounds come from the kernel's geometry (docs/protocol.md §8.3).")
        .withFigures(Figures.of("device", b.report().index()));
  }

  static Check coverage(List<SmBounds> devices) {
    SmBounds b = worst(devices, SmBounds::coverageHolds, x -> x.coveredSms() - x.requiredSms());
    if (b.problem() != null) {
      return underived("sm.coverage", b);
    }
    int g = b.report().index();
    String measured = b.coveredSms() + "/" + Counts.count(b.smCount(), "SM") + " (device " + g
        + ")";
    String expected = b.requiredSms() == b.smCount() ? "every SM"
        : ">= " + b.requiredSms() + " (" + b.grid() + ")";
    var figures = Figures.of("coveredSms", b.coveredSms(), "requiredSms", b.requiredSms(),
        "smCount", b.smCount(), "device", g);
    if (b.coveredSms() > b.smCount()) {
      return Check.fail("sm.coverage", measured, expected, "Device " + g + " reports blocks on "
          + Counts.count(b.coveredSms(), "distinct SM id") + " but has " + b.smCount()
          + " SMs.").withFigures(figures);
    }
    if (b.coveredSms() < b.requiredSms()) {
      return Check.fail("sm.coverage", measured, expected, "Some SMs ran no block though the"
          + " grid reaches them: the kernel did not use the whole GPU, or the GPU is shared.")
          .withFigures(figures);
    }
    return Check.pass("sm.coverage", measured, expected, b.requiredSms() == b.smCount()
        ? "Every SM of every device ran blocks."
        : "Every device ran blocks on as many SMs as its grid reaches.").withFigures(figures);
  }

  static Check balance(List<SmBounds> devices) {
    SmBounds b = worst(devices, SmBounds::balanceHolds, x -> x.maxCv() - x.cv());
    if (b.problem() != null) {
      return underived("sm.balance", b);
    }
    int g = b.report().index();
    String measured = String.format("CV %.3f (device %d)", b.cv(), g);
    String expected = String.format("<= %.3g (ideal %.3g + %.2f)", b.maxCv(), b.idealCv(),
        b.imbalance());
    var figures = Figures.of("coefficientOfVariation", b.cv(), "maxCoefficientOfVariation",
        b.maxCv(), "idealCoefficientOfVariation", b.idealCv(), "device", g);
    if (!b.balanceHolds()) {
      return Check.fail("sm.balance", measured, expected,
          "Blocks were spread unevenly over the SMs: some SMs were held by other work.")
          .withFigures(figures);
    }
    return Check.pass("sm.balance", measured, expected, "Blocks were spread evenly over the SMs.")
        .withFigures(figures);
  }

  static Check busy(List<SmBounds> devices) {
    SmBounds b = worst(devices, SmBounds::busyHolds,
        x -> x.report().smMonitor().busyFraction() - x.minBusy());
    if (b.problem() != null) {
      return underived("sm.busy", b);
    }
    int g = b.report().index();
    double busy = b.report().smMonitor().busyFraction();
    String measured = String.format("%.3f (device %d)", busy, g);
    String expected = String.format(">= %.3g (%.2f x ideal %.3g: %s)", b.minBusy(),
        b.busyFactor(), b.idealBusy(), b.grid());
    var figures = Figures.of("busyFraction", busy, "minBusyFraction", b.minBusy(),
        "idealBusyFraction", b.idealBusy(), "device", g);
    if (!b.busyHolds()) {
      return Check.fail("sm.busy", measured, expected,
          "SMs sat idle for much of the kernel: the GPU was shared or throttled.")
          .withFigures(figures);
    }
    return Check.pass("sm.busy", measured, expected,
        "SMs were busy for most of the kernel time its grid allows.").withFigures(figures);
  }
}
