package org.gpuattest.validator.check;

import java.util.OptionalInt;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.gpuattest.common.gpu.IdealSchedule;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.util.Printable;

/**
 * One device's SM bounds and readings (docs/protocol.md §8.3, checks 12-14): the bounds come
 * from the product kernel the report names, looked up in this validator's own geometry table
 * ({@link ProductGeometry}), at the challenge's n, on {@code smCount} SMs (the profile's) of
 * the report's compute capability; from the report only the kernel's name and the compute
 * capability are taken. Where they cannot be derived (no kernel named, an unknown one, one
 * that cannot run at this n or on this GPU), {@link #problem} says why, and every SM check
 * fails with it.
 *
 * <p>Ideal figures are {@link IdealSchedule}'s; the bounds allow for what a real GPU adds
 * (docs/soundness.md §6, "The SM checks' bounds"): coverage at least the SMs the grid
 * reaches, min(blocks, smCount), and at most smCount; CV at most ideal + maxSmImbalance; busy
 * at least minBusyFraction x ideal. Where the table lacks the compute capability, the bounds
 * take the loosest ideal over every occupancy the kernel could have (1 .. {@link
 * ProductGeometry#maxBlocksPerSmAnywhere}).
 */
record SmBounds(DeviceReport report, String problem, String kernel, long blocks, int smCount,
    int blocksPerSm, int requiredSms, double idealCv, double imbalance, double idealBusy,
    double busyFactor, int coveredSms, double cv) {

  static SmBounds of(DeviceReport r, int n, int smCount, double maxSmImbalance,
      double minBusyFraction) {
    int covered = r.smMonitor().coveredSms();
    double cv = coefficientOfVariation(r, smCount);
    String why = whyNot(r, n);
    if (why != null) {
      return new SmBounds(r, why, null, 0, smCount, 0, 0, 0, maxSmImbalance, 0,
          minBusyFraction, covered, cv);
    }
    ProductGeometry g = ProductGeometry.byEntry(r.kernel().name()).orElseThrow();
    long blocks = g.blocks(n);
    int perSm = SmArchitecture.find(r.computeCapability()).map(g::blocksPerSm).orElse(0);
    // An architecture the table lacks: the loosest ideal over every occupancy it could have.
    int from = perSm > 0 ? perSm : 1;
    int to = perSm > 0 ? perSm : g.maxBlocksPerSmAnywhere();
    double idealBusy = 1.0;
    double idealCv = 0.0;
    for (int p = from; p <= to; p++) {
      IdealSchedule ideal = new IdealSchedule(blocks, smCount, p);
      idealBusy = Math.min(idealBusy, ideal.busyFraction());
      idealCv = Math.max(idealCv, ideal.coefficientOfVariation());
    }
    int required = new IdealSchedule(blocks, smCount, from).coveredSms();
    return new SmBounds(r, null, g.entry, blocks, smCount, perSm, required, idealCv,
        maxSmImbalance, idealBusy, minBusyFraction, covered, cv);
  }

  /** Why no bounds can be derived for this report at n, or null when they can. */
  private static String whyNot(DeviceReport r, int n) {
    String device = "Device " + r.index();
    if (r.kernel() == null) {
      return device + " does not say which product kernel it ran (no 'kernel' field)";
    }
    String name = r.kernel().name();
    var known = ProductGeometry.byEntry(name);
    if (known.isEmpty()) {
      return device + " names product kernel '" + Printable.escape(name)
          + "', which this validator does not know";
    }
    ProductGeometry g = known.get();
    if (!g.fits(n)) {
      return device + " names " + g.entry + ", whose " + g.tile + " x " + g.tile
          + " tile does not divide n = " + n;
    }
    OptionalInt code = SmArchitecture.code(r.computeCapability());
    if (code.isEmpty()) {
      return device + " names " + g.entry + " but its compute capability '"
          + Printable.escape(r.computeCapability())
          + "' is not major.minor";
    }
    boolean cannot = code.getAsInt() < g.minCapability || SmArchitecture.find(
        r.computeCapability()).map(a -> g.blocksPerSm(a) == 0).orElse(false);
    if (cannot) {
      return device + " names " + g.entry + ", which cannot run on compute capability "
          + r.computeCapability();
    }
    return null;
  }

  /**
   * Sample CV of blocks per SM over the device's SMs: the ids with blocks, and an SM with none
   * for each of the smCount not among them (their ids are unknown when ids are sparse).
   */
  static double coefficientOfVariation(DeviceReport r, int smCount) {
    SummaryStatistics s = new SummaryStatistics();
    for (long b : r.smMonitor().blocksPerSm()) {
      if (b > 0) {
        s.addValue(b);
      }
    }
    for (int idle = r.smMonitor().coveredSms(); idle < smCount; idle++) {
      s.addValue(0);
    }
    return s.getMean() > 0 ? s.getStandardDeviation() / s.getMean() : Double.POSITIVE_INFINITY;
  }

  /** The most CV allowed: ideal + the profile's maxSmImbalance. */
  double maxCv() {
    return idealCv + imbalance;
  }

  /** The least busy fraction allowed: the profile's minBusyFraction x ideal. */
  double minBusy() {
    return busyFactor * idealBusy;
  }

  boolean coverageHolds() {
    return problem == null && coveredSms >= requiredSms && coveredSms <= smCount;
  }

  boolean balanceHolds() {
    return problem == null && cv <= maxCv();
  }

  boolean busyHolds() {
    return problem == null && report.smMonitor().busyFraction() >= minBusy();
  }

  /** "64 blocks of matmul_dmma_wide, 1 per SM": the grid the bounds are for. */
  String grid() {
    return Counts.count(blocks, "block") + " of " + kernel + ", "
        + (blocksPerSm > 0 ? blocksPerSm + " per SM" : "occupancy unknown");
  }
}
