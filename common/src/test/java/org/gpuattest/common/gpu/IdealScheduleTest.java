package org.gpuattest.common.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The ideal figures the SM checks start from, worked by hand for the cases issue 19 names
 * (132 SMs of an H100).
 */
class IdealScheduleTest {
  @Test
  void wideKernelAtN1024_oneWaveOf64Blocks() {
    IdealSchedule s = new IdealSchedule(64, 132, 1);
    assertEquals(1, s.waves());
    assertEquals(64.0 / 132, s.busyFraction(), 1e-15);
    assertEquals(64, s.coveredSms());
    // 64 SMs with 1, 68 with 0: mean 64/132; sample variance 64 x 68 / 132 / 131
    assertEquals(Math.sqrt(64.0 * 68 / 132 / 131) / (64.0 / 132), s.coefficientOfVariation(),
        1e-12);
    assertEquals(64.0 / 132, s.smFill(), 1e-15);
  }

  @Test
  void wideKernelAtN2048_twoWaves_theLastOf124() {
    IdealSchedule s = new IdealSchedule(256, 132, 1);
    assertEquals(2, s.waves());
    assertEquals(256.0 / 264, s.busyFraction(), 1e-15);
    assertEquals(132, s.coveredSms());
    assertEquals(256.0 / 264, s.smFill(), 1e-15);
  }

  @Test
  void dmmaAtN1024_oneWave_everySmHoldsBlocks() {
    IdealSchedule s = new IdealSchedule(256, 132, 4);
    assertEquals(256.0 / 528, s.busyWithEqualBlocks(), 1e-15);
    assertEquals(1.0, s.smFill(), 1e-15);
    // 124 SMs with 2, 8 with 1: an SM saturated by one block runs its 2 in 2 block-times.
    assertEquals((124 * 4 + 8 * 1) / (528.0 * 2), s.busyWithSaturatedSms(), 1e-15);
    assertEquals(s.busyWithSaturatedSms(), s.busyFraction(), 1e-15); // the 8 SMs idle half
  }

  @Test
  void ffmaAtN704On108_saturatedSmsAreTheLowerModel() {
    // 121 blocks, 2 per SM: 13 SMs run two while 95 run one.
    IdealSchedule s = new IdealSchedule(121, 108, 2);
    assertEquals(121.0 / 216, s.busyWithEqualBlocks(), 1e-15);
    assertEquals((13 * 4 + 95) / (216.0 * 2), s.busyWithSaturatedSms(), 1e-15);
    assertEquals(s.busyWithSaturatedSms(), s.busyFraction(), 1e-15);
  }

  @Test
  void coefficientOfVariation_afterFullWaves_takesTheLastWaveOnWholeSms() {
    // matmul_dmma at n = 1536: 576 blocks, 528 slots; the last 48 may fill 12 SMs' slots.
    IdealSchedule s = new IdealSchedule(576, 132, 4);
    double mean = 576.0 / 132;
    double squares = 12 * (8 - mean) * (8 - mean) + 120 * (4 - mean) * (4 - mean);
    assertEquals(Math.sqrt(squares / 131) / mean, s.coefficientOfVariation(), 1e-12);
    assertEquals(0.0, new IdealSchedule(264, 132, 1).coefficientOfVariation(), 1e-15);
    assertEquals(0.0, new IdealSchedule(7, 1, 4).coefficientOfVariation(), 1e-15);
  }

  @Test
  void nonPositive_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new IdealSchedule(0, 132, 1));
    assertThrows(IllegalArgumentException.class, () -> new IdealSchedule(1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new IdealSchedule(1, 132, 0));
  }
}
