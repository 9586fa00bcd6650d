package org.gpuattest.attestor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.gpuattest.attestor.Selftest;
import org.junit.jupiter.api.Test;

class SelftestTableTest {
  private static final String SEED = "ab".repeat(32);

  @Test
  void print_oneCaseDiffers_namesItsFirstRootAndHowToReproduceIt() {
    Selftest.Report r = new Selftest.Report("cuda", "the CPU backend", 2, false,
        List.of(new Selftest.DeviceInfo(0, "NVIDIA H100 80GB HBM3\u001b[2J", "GPU-1", 132)),
        List.of(
            new Selftest.CaseResult(0, 64, 2, SEED, true, 8, 132, 0.12, 400_000, null),
            new Selftest.CaseResult(0, 576, 2, SEED, false, 132, 132, 0.95, 3_100_000,
                new Selftest.Difference(1, "r(0,1)", "11".repeat(32), "22".repeat(32)))));
    StringWriter out = new StringWriter();
    SelftestTable.print(r, new PrintWriter(out));
    List<String> lines = out.toString().lines().toList();
    assertEquals("selftest: cuda backend against the CPU backend, T=2, a fresh seed per device"
        + " and size", lines.get(0));
    assertTrue(lines.get(1).startsWith("device 0: NVIDIA H100 80GB HBM3"), out.toString());
    assertTrue(!out.toString().contains("\u001b"), "driver text is escaped: " + out);
    assertTrue(lines.stream().anyMatch(l -> l.matches(
        "0 +576 +DIFFERS +132/132 +0\\.95 +3\\.1 +r\\(0,1\\): device 1111111111111111\\.\\.\\.,"
            + " expected 2222222222222222\\.\\.\\.")), out.toString());
    assertTrue(lines.stream().anyMatch(l -> l.matches("0 +64 +equal +8/132 +0\\.12 +0\\.4 +-")),
        out.toString());
    assertTrue(out.toString().contains("'validator spec matrix --seed " + SEED
        + " --dim 576 --gpu 0 --iteration 1'"), out.toString());
    assertEquals("selftest: 1 of 2 cases equal bit for bit: FAIL", lines.get(lines.size() - 1));
  }
}
