package org.gpuattest.validator.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.validator.GpuProfiles;
import org.junit.jupiter.api.Test;

/**
 * The SM checks (docs/protocol.md §8.3, checks 12-14) at sizes where their bounds bite, on a
 * 132-SM H100 (9.0): coverage counts distinct SM ids, however sparse, and wants as many as the
 * grid reaches; balance and busy are held to the named kernel's ideal plus the profile's
 * margins; a kernel the validator cannot derive bounds for fails all three.
 */
class SmChecksTest {
  private static final GpuProfiles.Defaults D = GpuProfiles.bundled().defaults();
  private static final int SMS = 132;

  private static DeviceReport report(int g, String cc, String kernel, long[] blocks,
      double busy) {
    return new DeviceReport(g, "NVIDIA H100 80GB HBM3", "GPU-" + g, "0000:18:00." + g, cc, SMS,
        80L << 30, "13.0", DeviceReport.CUDA, "00".repeat(32), new Timing(1, 2, 3, 1),
        new SmMonitor(blocks, busy), kernel == null ? null : new KernelChoice(kernel, "test"));
  }

  private static Map<String, Check> checks(int n, DeviceReport... reports) {
    return SmChecks.of(List.of(reports), n, SMS, D).stream()
        .collect(Collectors.toMap(Check::name, Function.identity()));
  }

  /** {@code per} blocks on each of SMs 0 .. sms-1. */
  private static long[] even(int sms, long per) {
    long[] blocks = new long[sms];
    Arrays.fill(blocks, per);
    return blocks;
  }

  private static void assertStatuses(Map<String, Check> c, String coverage, String balance,
      String busy) {
    assertEquals(List.of(coverage, balance, busy), List.of(c.get("sm.coverage").status(),
        c.get("sm.balance").status(), c.get("sm.busy").status()), c.toString());
  }

  @Test
  void wideKernelAtN1024_64BlocksOn64Sms_halfBusy_passes() {
    // Issue 19: 64 blocks of matmul_dmma_wide on 132 SMs, one each: busy 64/132 at best.
    long[] blocks = new long[SMS];
    Arrays.fill(blocks, 0, 64, 10); // T = 10 launches, the same 64 SMs each time
    Map<String, Check> c = checks(1024, report(0, "9.0", "matmul_dmma_wide", blocks, 0.45));
    assertStatuses(c, Check.PASS, Check.PASS, Check.PASS);
    assertEquals(64.0, c.get("sm.coverage").figures().get("requiredSms"));
    assertEquals(64.0 / SMS, c.get("sm.busy").figures().get("idealBusyFraction"), 1e-12);
    assertEquals(0.85 * 64 / SMS, c.get("sm.busy").figures().get("minBusyFraction"), 1e-12);
    assertEquals(">= 64 (64 blocks of matmul_dmma_wide, 1 per SM)",
        c.get("sm.coverage").expected());
  }

  @Test
  void wideKernelAtN1024_63Sms_failsCoverage() {
    long[] blocks = new long[SMS];
    Arrays.fill(blocks, 0, 63, 10);
    blocks[0] = 20;
    Map<String, Check> c = checks(1024, report(0, "9.0", "matmul_dmma_wide", blocks, 0.45));
    assertEquals(Check.FAIL, c.get("sm.coverage").status());
    assertEquals("63/132 SMs (device 0)", c.get("sm.coverage").measured());
  }

  @Test
  void sparseSmIds_132Of144_passesEveryCheck() {
    // n = 2048, matmul_dmma_wide: 256 blocks, two waves; ids 11, 23, ... unused (A3).
    long[] blocks = new long[144];
    int sm = 0;
    for (int id = 0; id < blocks.length; id++) {
      if (id % 12 != 11) {
        blocks[id] = sm++ < 124 ? 20 : 10; // 10 launches: 124 SMs ran 2 a launch, 8 ran 1
      }
    }
    Map<String, Check> c = checks(2048, report(0, "9.0", "matmul_dmma_wide", blocks, 0.9));
    assertStatuses(c, Check.PASS, Check.PASS, Check.PASS);
    assertEquals("132/132 SMs (device 0)", c.get("sm.coverage").measured());
    assertEquals("every SM", c.get("sm.coverage").expected());
  }

  @Test
  void moreDistinctIdsThanSms_failsCoverage() {
    long[] blocks = even(144, 8);
    Map<String, Check> c = checks(2048, report(0, "9.0", "matmul_dmma", blocks, 0.9));
    assertEquals(Check.FAIL, c.get("sm.coverage").status());
    assertEquals("Device 0 reports blocks on 144 distinct SM ids but has 132 SMs.",
        c.get("sm.coverage").message());
  }

  @Test
  void oneSmIdleAtN2048_failsCoverage() {
    long[] blocks = even(SMS, 8);
    blocks[77] = 0;
    Map<String, Check> c = checks(2048, report(0, "9.0", "matmul_dmma", blocks, 0.9));
    assertEquals(Check.FAIL, c.get("sm.coverage").status());
    assertTrue(c.get("sm.coverage").message().startsWith("Some SMs ran no block"));
  }

  @Test
  void unevenBlocksAtN2048_failsBalance() {
    long[] blocks = new long[SMS];
    for (int sm = 0; sm < SMS; sm++) {
      blocks[sm] = sm % 2 == 0 ? 4 : 12; // CV 0.5: half the SMs did a third of the others
    }
    Map<String, Check> c = checks(2048, report(0, "9.0", "matmul_dmma", blocks, 0.9));
    assertStatuses(c, Check.PASS, Check.FAIL, Check.PASS);
  }

  @Test
  void busyJustBelowTheDerivedBound_failsBusy_justAbove_passes() {
    // matmul_dmma at n = 1536: 576 blocks, 4 per SM, 528 slots: two waves, ideal 576/1056.
    double ideal = 576.0 / 1056;
    double bound = D.minBusyFraction() * ideal;
    long[] blocks = even(SMS, 4); // the last wave's 48 blocks on 12 SMs' free slots
    Arrays.fill(blocks, 0, 12, 8);
    assertEquals(Check.FAIL, checks(1536, report(0, "9.0", "matmul_dmma", blocks,
        bound - 1e-6)).get("sm.busy").status());
    Map<String, Check> c = checks(1536, report(0, "9.0", "matmul_dmma", blocks, bound + 1e-6));
    assertStatuses(c, Check.PASS, Check.PASS, Check.PASS);
    assertEquals(ideal, c.get("sm.busy").figures().get("idealBusyFraction"), 1e-12);
  }

  @Test
  void twoDevices_theWorseOneIsReported() {
    Map<String, Check> c = checks(2048,
        report(0, "9.0", "matmul_dmma", even(SMS, 8), 0.95),
        report(1, "9.0", "matmul_dmma", even(SMS, 8), 0.86));
    assertEquals("0.860 (device 1)", c.get("sm.busy").measured());
  }

  @Test
  void unknownKernel_failsAllThree_naming_it() {
    Map<String, Check> c = checks(2048, report(0, "9.0", "matmul_magic", even(SMS, 8), 0.95));
    assertStatuses(c, Check.FAIL, Check.FAIL, Check.FAIL);
    for (Check k : c.values()) {
      assertTrue(k.message().startsWith("Device 0 names product kernel 'matmul_magic', which"
          + " this validator does not know"), k.message());
    }
  }

  @Test
  void kernelThatCannotRunThere_failsAllThree() {
    // matmul_dmma_wide's 112128 bytes of shared memory exceed what an sm_86 block may have;
    // matmul_dmma needs 8.0; a capability must be major.minor.
    for (String[] caseOf : new String[][] {{"8.6", "matmul_dmma_wide"}, {"7.5", "matmul_dmma"},
        {"nine", "matmul_ffma"}}) {
      Map<String, Check> c = checks(2048, report(0, caseOf[0], caseOf[1], even(SMS, 8), 0.95));
      assertStatuses(c, Check.FAIL, Check.FAIL, Check.FAIL);
    }
  }

  @Test
  void unknownArchitecture_takesTheLoosestOccupancy() {
    // 13.0 is not in the table: matmul_dmma could hold 1 .. 8 blocks per SM there, and the
    // bound takes the least busy of them; on 9.0 (4 per SM) the same reading fails.
    long[] blocks = even(SMS, 4);
    Arrays.fill(blocks, 0, 12, 8);
    assertEquals(Check.FAIL, checks(1536, report(0, "9.0", "matmul_dmma", blocks, 0.45))
        .get("sm.busy").status());
    Map<String, Check> c = checks(1536, report(0, "13.0", "matmul_dmma", blocks, 0.45));
    assertStatuses(c, Check.PASS, Check.PASS, Check.PASS);
    assertTrue(c.get("sm.busy").figures().get("idealBusyFraction") < 576.0 / 1056);
    assertTrue(c.get("sm.busy").expected().endsWith("occupancy unknown)"));
  }

  @Test
  void cpuReportAmongCudaOnes_isLeftToDevicesBackend() {
    DeviceReport cpu = new DeviceReport(1, "cpu", "cpu-1", "cpu:1", "cpu", 2, 0L, "java",
        DeviceReport.CPU, "00".repeat(32), new Timing(1, 2, 3, 1),
        new SmMonitor(new long[] {1, 1}, 0.99));
    Map<String, Check> c = checks(2048, report(0, "9.0", "matmul_dmma", even(SMS, 8), 0.95),
        cpu);
    assertStatuses(c, Check.PASS, Check.PASS, Check.PASS);
  }
}
