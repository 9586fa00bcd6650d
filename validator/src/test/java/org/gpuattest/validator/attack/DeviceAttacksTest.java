package org.gpuattest.validator.attack;

import static org.gpuattest.validator.attack.Verdicts.assertFailsOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the claim of G distinct devices: one device's work reused for another, one device
 * claimed twice (also under another spelling of its UUID or PCI bus id, or a malformed one),
 * fewer devices than claimed, and a CPU passed off without --allow-cpu.
 */
class DeviceAttacksTest {
  @TempDir Path dir;

  @Test
  void verify_device1ReusesDevice0Work_failsRootsDistinctAndOpeningsExact() throws Exception {
    Harness h = new Harness(dir, 21);
    TestProver p = h.prover(Hardware.H100, Cheats.HONEST.workOf(g -> 0));
    Harness.Run run = h.run(p);
    Verdict v = run.verdict();
    assertEquals(run.commitment.devices().get(0).root(), run.commitment.devices().get(1).root(),
        "R(1) = R(0)");
    assertFailsOnly(v, "one device's work is being reused for another",
        "devices.roots-distinct", "openings.exact");
    Verdicts.assertMessage(v, "openings.exact", "device 1, iteration 0, row 0");
    assertEquals("128/256 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_oneDeviceClaimedTwiceSameUuid_failsDevicesDistinct() throws Exception {
    Harness h = new Harness(dir, 22);
    TestProver p = h.prover(Hardware.H100, Cheats.HONEST.reports(
        (g, r) -> g == 1 ? Reports.identity(r, TestProver.h100Uuid(0), "00000000:99:00.0") : r));
    Verdict v = h.run(p).verdict();
    assertFailsOnly(v, "same UUID", "devices.distinct");
  }

  @Test
  void verify_oneDeviceClaimedTwiceSamePciBusId_failsDevicesDistinct() throws Exception {
    Harness h = new Harness(dir, 23);
    TestProver p = h.prover(Hardware.CPU, Cheats.HONEST.reports(
        (g, r) -> g == 1 ? Reports.identity(r, "CPU-test-other", "cpu:0") : r));
    Verdict v = h.run(p).allowCpu().verdict();
    assertFailsOnly(v, "same PCI bus id", "devices.distinct");
  }

  @Test
  void verify_device1ClaimsDevice0UuidInUpperCase_failsDevicesDistinct() throws Exception {
    Verdict v = claimAsDevice1(Hardware.H100, r -> Reports.identity(r,
        TestProver.h100Uuid(0).toUpperCase(Locale.ROOT), r.pciBusId()));
    assertFailsOnly(v, "same UUID", "devices.distinct");
    assertEquals("devices 0 and 1 share UUID " + TestProver.h100Uuid(0).substring(4),
        v.check("devices.distinct").measured());
  }

  @Test
  void verify_device1ClaimsDevice0UuidWithoutPrefix_failsDevicesDistinct() throws Exception {
    Verdict v = claimAsDevice1(Hardware.H100,
        r -> Reports.identity(r, TestProver.h100Uuid(0).substring(4), r.pciBusId()));
    assertFailsOnly(v, "same UUID", "devices.distinct");
  }

  @Test
  void verify_device1ClaimsDevice0UuidWithSurroundingSpace_failsDevicesDistinctAsMalformed()
      throws Exception {
    Verdict v = claimAsDevice1(Hardware.H100,
        r -> Reports.identity(r, " " + TestProver.h100Uuid(0), r.pciBusId()));
    assertFailsOnly(v, "Device 1's UUID is malformed: expected"
        + " GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "devices.distinct");
    assertEquals("device 1 UUID ' " + TestProver.h100Uuid(0) + "'",
        v.check("devices.distinct").measured());
  }

  @Test
  void verify_device1ClaimsDevice0PciBusIdWithFourDigitDomain_failsDevicesDistinct()
      throws Exception {
    Verdict v = claimAsDevice1(Hardware.H100, r -> Reports.identity(r, r.uuid(), "0000:18:00.0"));
    assertFailsOnly(v, "same PCI bus id", "devices.distinct");
    assertEquals("devices 0 and 1 share PCI bus id 00000000:18:00.0",
        v.check("devices.distinct").measured());
  }

  @Test
  void verify_device1ClaimsDevice0PciBusIdInOtherHexCase_failsDevicesDistinct()
      throws Exception {
    Harness h = new Harness(dir, 31);
    TestProver p = h.prover(Hardware.H100, Cheats.HONEST.reports((g, r) ->
        Reports.identity(r, r.uuid(), g == 0 ? "00000000:2A:00.0" : "00000000:2a:00.0")));
    Verdict v = h.run(p).verdict();
    assertFailsOnly(v, "same PCI bus id", "devices.distinct");
  }

  @Test
  void verify_device1ClaimsDevice0CpuUuidInOtherCase_failsDevicesDistinct() throws Exception {
    Verdict v = claimAsDevice1(Hardware.CPU,
        r -> Reports.identity(r, "cpu-TEST-0", r.pciBusId()));
    assertFailsOnly(v, "same UUID", "devices.distinct");
  }

  @Test
  void verify_cpuPciBusIdWithTrailingSpace_failsDevicesDistinctAsMalformed() throws Exception {
    Verdict v = claimAsDevice1(Hardware.CPU, r -> Reports.identity(r, r.uuid(), "cpu:0 "));
    assertFailsOnly(v, "Device 1's PCI bus id is malformed: expected text without surrounding"
        + " whitespace or control characters", "devices.distinct");
  }

  @Test
  void verify_fewerDevicesThanClaimed_failsCountAndOpeningsExact() throws Exception {
    Harness h = new Harness(dir, 24);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .commitment(c -> Commitment.sign(hex(c.challengeDigest()), List.of(c.devices().get(0)),
            h.proverKey));
    Verdict v = run.verdict();
    assertFailsOnly(v, "reports 1 device but the challenge claims 2", "devices.count",
        "openings.exact");
    Verdicts.assertMessage(v, "openings.exact", "device 1 has no committed root");
  }

  @Test
  void verify_reportsOutOfOrder_failsCountNamingTheExpectedIndex() throws Exception {
    Harness h = new Harness(dir, 28);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .commitment(c -> Commitment.sign(hex(c.challengeDigest()),
            List.of(c.devices().get(1), c.devices().get(0)), h.proverKey));
    Verdict v = run.verdict();
    assertFailsOnly(v, "listed by index", "devices.count", "openings.exact");
    assertEquals("index 1 at 0", v.check("devices.count").measured());
    assertEquals("index 0 at 0", v.check("devices.count").expected());
  }

  @Test
  void verify_cpuWithoutAllowCpu_failsDevicesBackend() throws Exception {
    Harness h = new Harness(dir, 25);
    Verdict v = h.run(h.prover(Hardware.CPU, Cheats.HONEST)).verdict();
    assertFailsOnly(v, "--allow-cpu", "devices.backend");
    assertEquals("cpu", v.check("devices.backend").measured());
  }

  @Test
  void verify_cpuWithAllowCpu_skipsGpuChecksWithReason() throws Exception {
    Harness h = new Harness(dir, 26);
    Verdict v = h.run(h.prover(Hardware.CPU, Cheats.HONEST)).allowCpu().verdict();
    Verdicts.assertPasses(v);
    assertEquals(Check.PASS, v.check("devices.backend").status());
    for (String name : HonestRunTest.GPU_ONLY) {
      assertEquals(Check.SKIPPED, v.check(name).status(), name);
      assertEquals("skipped: cpu backend", v.check(name).message(), name);
    }
  }

  @Test
  void verify_mixedBackends_failsDevicesBackend() throws Exception {
    Harness h = new Harness(dir, 27);
    TestProver p = h.prover(Hardware.H100, Cheats.HONEST.reports((g, r) -> g == 1
        ? new DeviceReport(r.index(), r.name(), r.uuid(),
            r.pciBusId(), r.computeCapability(), r.smCount(), r.memoryBytes(),
            r.driverVersion(), "cpu", r.root(), r.timing(), r.smMonitor())
        : r));
    Verdict v = h.run(p).allowCpu().verdict();
    assertFailsOnly(v, "different backends", "devices.backend");
    assertTrue(v.check("devices.backend").measured().contains("cpu"));
  }

  /** An attestation whose device 1 report is rewritten before signing. */
  private Verdict claimAsDevice1(Hardware hw, UnaryOperator<DeviceReport> edit)
      throws Exception {
    Harness h = new Harness(dir, 30);
    TestProver p = h.prover(hw, Cheats.HONEST.reports((g, r) -> g == 1 ? edit.apply(r) : r));
    Harness.Run run = h.run(p);
    return hw == Hardware.CPU ? run.allowCpu().verdict() : run.verdict();
  }

  static byte[] hex(String s) {
    return org.gpuattest.common.util.Hex.decode("digest", s, 32);
  }
}
