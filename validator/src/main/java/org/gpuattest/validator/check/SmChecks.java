package org.gpuattest.validator.check;

import java.util.List;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.util.Counts;
import org.gpuattest.validator.GpuProfiles;

/**
 * What the monitored kernel says about the SMs: every SM ran blocks (coverage), no SM ran far
 * more than the others (balance, as the coefficient of variation of blocks per SM), and the SMs
 * were busy for most of the kernel's time. GPU-only.
 */
final class SmChecks {
  private SmChecks() {}

  static List<Check> all(Evidence e) {
    if (e.cpuBackend()) {
      return List.of(Check.skipped("sm.coverage", DeviceChecks.CPU_SKIP),
          Check.skipped("sm.balance", DeviceChecks.CPU_SKIP),
          Check.skipped("sm.busy", DeviceChecks.CPU_SKIP));
    }
    GpuProfiles.Defaults d = e.profiles().defaults();
    return List.of(coverage(e), balance(e, d.maxSmImbalance()), busy(e, d.minBusyFraction()));
  }

  static Check coverage(Evidence e) {
    int worst = Integer.MAX_VALUE;
    DeviceReport worstDevice = null;
    for (DeviceReport r : e.commitment().devices()) {
      long[] blocks = r.smMonitor().blocksPerSm();
      int covered = 0;
      for (int sm = 0; sm < Math.min(blocks.length, r.smCount()); sm++) {
        if (blocks[sm] > 0) {
          covered++;
        }
      }
      if (blocks.length != r.smCount()) {
        return Check.fail("sm.coverage", Counts.count(blocks.length, "SM entry", "SM entries"),
            Counts.count(r.smCount(), "entry", "entries"), "Device " + r.index()
                + " reports blocks for " + Counts.count(blocks.length, "SM") + " but has "
                + r.smCount() + ".").withFigures(Figures.of("smEntries", blocks.length,
                    "smCount", r.smCount(), "device", r.index()));
      }
      if (covered < worst) {
        worst = covered;
        worstDevice = r;
      }
    }
    String measured = worst + "/" + Counts.count(worstDevice.smCount(), "SM") + " (device "
        + worstDevice.index() + ")";
    var figures = Figures.of("coveredSms", worst, "smCount", worstDevice.smCount(), "device",
        worstDevice.index());
    if (worst < worstDevice.smCount()) {
      return Check.fail("sm.coverage", measured, "every SM",
          "Some SMs ran no block: the kernel did not use the whole GPU, or the GPU is shared.")
          .withFigures(figures);
    }
    return Check.pass("sm.coverage", measured, "every SM", "Every SM of every device ran blocks.")
        .withFigures(figures);
  }

  static Check balance(Evidence e, double maxCv) {
    double worst = 0;
    int worstIndex = 0;
    for (DeviceReport r : e.commitment().devices()) {
      SummaryStatistics s = new SummaryStatistics();
      for (long b : r.smMonitor().blocksPerSm()) {
        s.addValue(b);
      }
      double cv = s.getMean() > 0 ? s.getStandardDeviation() / s.getMean() : Double.POSITIVE_INFINITY;
      if (cv > worst || Double.isNaN(cv)) {
        worst = cv;
        worstIndex = r.index();
      }
    }
    String measured = String.format("CV %.3f (device %d)", worst, worstIndex);
    var figures = Figures.of("coefficientOfVariation", worst, "maxCoefficientOfVariation",
        maxCv, "device", worstIndex);
    if (!(worst <= maxCv)) {
      return Check.fail("sm.balance", measured, String.format("<= %.2f", maxCv),
          "Blocks were spread unevenly over the SMs: some SMs were held by other work.")
          .withFigures(figures);
    }
    return Check.pass("sm.balance", measured, String.format("<= %.2f", maxCv),
        "Blocks were spread evenly over the SMs.").withFigures(figures);
  }

  static Check busy(Evidence e, double min) {
    double worst = 1.0;
    int worstIndex = 0;
    for (DeviceReport r : e.commitment().devices()) {
      if (r.smMonitor().busyFraction() < worst) {
        worst = r.smMonitor().busyFraction();
        worstIndex = r.index();
      }
    }
    String measured = String.format("%.3f (device %d)", worst, worstIndex);
    var figures = Figures.of("busyFraction", worst, "minBusyFraction", min, "device",
        worstIndex);
    if (worst < min) {
      return Check.fail("sm.busy", measured, String.format(">= %.2f", min),
          "SMs sat idle for much of the kernel: the GPU was shared or throttled.")
          .withFigures(figures);
    }
    return Check.pass("sm.busy", measured, String.format(">= %.2f", min),
        "SMs were busy for most of the kernel time.").withFigures(figures);
  }
}
