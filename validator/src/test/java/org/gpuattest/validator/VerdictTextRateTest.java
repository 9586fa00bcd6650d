package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The text verdict's rate is in the unit that shows its digits, rounded down as every proven
 * figure is: a GPU's in TFLOP/s, a CPU demo's in GFLOP/s or MFLOP/s instead of 0.000 TFLOP/s.
 */
class VerdictTextRateTest {
  @Test
  void rate_inTheUnitThatShowsIt() {
    assertEquals("52.1 TFLOP/s", VerdictText.rate(52.19));
    assertEquals("1.0 TFLOP/s", VerdictText.rate(1.0));
    assertEquals("0.000 TFLOP/s", VerdictText.rate(0));
    assertEquals("41.7 GFLOP/s", VerdictText.rate(0.04179));
    assertEquals("0.104 MFLOP/s", VerdictText.rate(2.0 * 64 * 64 * 64 * 2 / 10 / 1e12));
  }
}
