package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.gpuattest.attestor.Selftest;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.util.Printable;

/** The human form of a self test: who the devices are, one row per device and size, a verdict. */
final class SelftestTable {
  private static final String ROW = "%-6s  %-6s  %-6s  %-11s  %-5s  %-10s  %s%n";

  private SelftestTable() {}

  static void print(Selftest.Report r, PrintWriter out) {
    out.printf("selftest: %s backend against %s, T=%d, a fresh seed per device and size%n",
        r.backend(), r.expected(), r.iterations());
    for (Selftest.DeviceInfo d : r.devices()) {
      // Driver-supplied text: escaped so it cannot move the cursor or fake a line.
      out.printf("device %d: %s, %s, %s%n", d.index(), Printable.escape(d.name()),
          Printable.escape(d.uuid()), Counts.count(d.smCount(), "SM"));
    }
    out.println();
    out.printf(ROW, "device", "n", "result", "SMs used", "busy", "kernel ms", "first difference");
    for (Selftest.CaseResult c : r.cases()) {
      out.printf(Locale.ROOT, ROW, c.device(), c.dim(), c.pass() ? "equal" : "DIFFERS",
          c.smsUsed() + "/" + c.smCount(), String.format(Locale.ROOT, "%.2f", c.busyFraction()),
          String.format(Locale.ROOT, "%.1f", c.kernelNanos() / 1e6),
          c.pass() ? "-" : c.firstDifference().matrix() + ": device "
              + c.firstDifference().deviceRoot().substring(0, 16) + "..., expected "
              + c.firstDifference().expectedRoot().substring(0, 16) + "...");
    }
    out.println();
    long equal = r.cases().stream().filter(Selftest.CaseResult::pass).count();
    for (Selftest.CaseResult c : r.cases()) {
      if (!c.pass()) {
        Selftest.Difference d = c.firstDifference();
        out.printf("device %d, n=%d differs first at %s; the expected root comes from"
            + " 'validator spec matrix --seed %s --dim %d --gpu %d --iteration %d'%n",
            c.device(), c.dim(), d.matrix(), c.seed(), c.dim(), c.device(), d.iteration());
      }
    }
    out.printf("selftest: %s of %s equal bit for bit: %s%n", equal,
        Counts.count(r.cases().size(), "case"), r.pass() ? "PASS" : "FAIL");
  }
}
