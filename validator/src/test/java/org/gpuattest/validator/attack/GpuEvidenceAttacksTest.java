package org.gpuattest.validator.attack;

import static org.gpuattest.validator.attack.Verdicts.assertFailsOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BiFunction;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the GPU evidence of an H100-looking commitment whose matrices are all honest:
 * another model, another SM count, idle or overloaded SMs, devices run one after another, and
 * times the claimed hardware cannot produce. The window for G = 2, n = 64, T = 2 on the bundled
 * H100 profile is about 16 ns .. 24 s issue to receipt, and 16 ns .. 153 ns of kernel time.
 */
class GpuEvidenceAttacksTest {
  @TempDir Path dir;

  private Verdict attest(BiFunction<Integer, DeviceReport, DeviceReport> edit) throws Exception {
    Harness h = new Harness(dir, 31);
    return h.run(h.prover(Hardware.H100, Cheats.HONEST.reports(edit))).verdict();
  }

  private static BiFunction<Integer, DeviceReport, DeviceReport> device1(
      java.util.function.UnaryOperator<DeviceReport> edit) {
    return (g, r) -> g == 1 ? edit.apply(r) : r;
  }

  @Test
  void verify_wrongModelName_failsDevicesModel() throws Exception {
    Verdict v = attest(device1(r -> Reports.name(r, "NVIDIA A100-SXM4-80GB")));
    assertFailsOnly(v, "Device 1 is not the claimed model", "devices.model");
    assertEquals("NVIDIA A100-SXM4-80GB", v.check("devices.model").measured());
  }

  @Test
  void verify_wrongSmCount_failsDevicesSmCount() throws Exception {
    // An H100 PCIe (114 SMs) passed off as an SXM part with the SXM's name.
    Verdict v = attest(device1(r -> Reports.smCount(r, 114)));
    assertFailsOnly(v, "Device 1 reports 114 SMs", "devices.sm-count");
  }

  @Test
  void verify_oneSm_failsDevicesSmCountSayingOneSm() throws Exception {
    Verdict v = attest(device1(r -> Reports.smCount(r, 1)));
    assertFailsOnly(v, "Device 1 reports 1 SM; the claimed NVIDIA H100 80GB HBM3 has 132.",
        "devices.sm-count");
    assertEquals("1/132 SMs (device 1)", v.check("sm.coverage").measured());
  }

  // At the harness's n = 64 a launch is one block of matmul_dmma, so the grid reaches one SM,
  // its ideal busy fraction is 1/528 and any spread is as even as it can be: what an honest
  // GPU cannot fail there. SmChecksTest holds the SM checks to large n.

  @Test
  void verify_noSmRanABlock_failsSmCoverage() throws Exception {
    Verdict v = attest(device1(r -> Reports.monitor(r, new SmMonitor(new long[132], 0.95))));
    assertFailsOnly(v, "Some SMs ran no block though the grid reaches them", "sm.coverage",
        "sm.balance");
    assertEquals("0/132 SMs (device 1)", v.check("sm.coverage").measured());
  }

  @Test
  void verify_moreSmIdsThanSms_failsSmCoverage() throws Exception {
    // 133 distinct %smid with blocks on a GPU of 132 SMs: one more SM than it has.
    Verdict v = attest(device1(r -> {
      long[] blocks = Arrays.copyOf(r.smMonitor().blocksPerSm(), 144);
      blocks[140] = 8;
      return Reports.monitor(r, new SmMonitor(blocks, 0.95));
    }));
    assertFailsOnly(v, "Device 1 reports blocks on 133 distinct SM ids but has 132 SMs.",
        "sm.coverage");
  }

  @Test
  void verify_sparseSmIds_passes() throws Exception {
    // 132 SMs enabled among 144 ids (an H100 SXM's full die): every 12th id unused.
    Verdict v = attest(device1(r -> {
      long[] blocks = new long[144];
      for (int id = 0; id < blocks.length; id++) {
        blocks[id] = id % 12 == 11 ? 0 : 8;
      }
      return Reports.monitor(r, new SmMonitor(blocks, 0.95));
    }));
    assertTrue(v.passed(), () -> Verdicts.describe(v)); // both devices cover 132 of 132
    assertEquals(132.0, v.check("sm.coverage").figures().get("coveredSms"));
  }

  @Test
  void verify_busyFractionZero_failsSmBusy() throws Exception {
    Verdict v = attest(device1(r -> Reports.monitor(r,
        new SmMonitor(r.smMonitor().blocksPerSm(), 0.0))));
    assertFailsOnly(v, "SMs sat idle", "sm.busy");
    assertEquals("0.000 (device 1)", v.check("sm.busy").measured());
  }

  @Test
  void verify_unknownKernel_failsEverySmCheck() throws Exception {
    Verdict v = attest(device1(r -> r.withKernel(new KernelChoice("matmul_fast", "made up"))));
    assertFailsOnly(v, "Device 1 names product kernel 'matmul_fast', which this validator does"
        + " not know", "sm.coverage", "sm.balance", "sm.busy");
    assertEquals("no bounds (device 1)", v.check("sm.busy").measured());
  }

  @Test
  void verify_noKernel_failsEverySmCheck() throws Exception {
    Verdict v = attest(device1(r -> r.withKernel(null)));
    assertFailsOnly(v, "Device 1 does not say which product kernel it ran",
        "sm.coverage", "sm.balance", "sm.busy");
  }

  @Test
  void verify_wideKernelAtN64_failsEverySmCheck() throws Exception {
    Verdict v = attest(device1(r -> r.withKernel(new KernelChoice("matmul_dmma_wide", "x"))));
    assertFailsOnly(v, "matmul_dmma_wide, whose 128 x 128 tile does not divide n = 64",
        "sm.coverage", "sm.balance", "sm.busy");
  }

  @Test
  void verify_devicesRunOneAfterAnother_failsTimingBarriers() throws Exception {
    // Device 1's barrier window begins 1 s after device 0's ends.
    long after = TestProver.END_AFTER - TestProver.START_AFTER + 1_000_000_000L;
    Verdict v = attest(device1(r -> Reports.shifted(r, after)));
    assertFailsOnly(v, "did not run at the same time", "timing.barriers");
    assertEquals("windows apart by 1000 ms", v.check("timing.barriers").measured());
  }

  @Test
  void verify_runLongerThanChallengeExisted_failsTimingBarriers() throws Exception {
    Verdict v = attest(device1(r -> {
      Timing t = r.timing();
      return Reports.timing(r, new Timing(t.startNanos(), t.midNanos(),
          t.startNanos() + 60_000_000_000L, t.kernelNanos()));
    }));
    assertFailsOnly(v, "longer than the challenge has existed", "timing.barriers");
  }

  @Test
  void verify_barriersOutOfOrder_failsTimingBarriers() throws Exception {
    Verdict v = attest(device1(r -> {
      Timing t = r.timing();
      return Reports.timing(r, new Timing(t.midNanos(), t.startNanos(), t.endNanos(),
          t.kernelNanos()));
    }));
    assertFailsOnly(v, "barrier times are not in order", "timing.barriers");
  }

  @Test
  void verify_receiptFarTooLate_failsTimingWindow() throws Exception {
    Harness h = new Harness(dir, 32);
    // 40 s: past the 24 s window, before the challenge's 54 s expiry.
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).elapsed(Duration.ofSeconds(40))
        .verdict();
    assertFailsOnly(v, "Slower than NVIDIA H100 80GB HBM3 GPUs would be", "timing.window");
    assertEquals("40.000 s", v.check("timing.window").measured());
  }

  @Test
  void verify_kernelTimeImpossiblyFast_failsTimingKernel() throws Exception {
    Verdict v = attest(device1(r -> {
      Timing t = r.timing();
      return Reports.timing(r, new Timing(t.startNanos(), t.midNanos(), t.endNanos(), 1));
    }));
    assertFailsOnly(v, "Device 1 claims a kernel time faster than its FP64 peak allows",
        "timing.kernel");
  }

  @Test
  void verify_kernelTimeFarTooSlow_failsTimingKernel() throws Exception {
    Verdict v = attest(device1(r -> {
      Timing t = r.timing();
      return Reports.timing(r, new Timing(t.startNanos(), t.midNanos(), t.endNanos(),
          1_000_000_000L));
    }));
    assertFailsOnly(v, "Device 1 ran slower than the claimed model does", "timing.kernel");
  }
}
