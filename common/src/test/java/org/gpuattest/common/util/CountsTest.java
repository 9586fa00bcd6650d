package org.gpuattest.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Counts.count agrees its noun with the number: singular for one, plural otherwise. */
class CountsTest {
  @Test
  void count_one_isSingular() {
    assertEquals("1 device", Counts.count(1, "device"));
    assertEquals("1 SM", Counts.count(1, "SM"));
  }

  @Test
  void count_two_isPlural() {
    assertEquals("2 devices", Counts.count(2, "device"));
    assertEquals("132 SMs", Counts.count(132, "SM"));
  }

  @Test
  void count_zero_isPlural() {
    assertEquals("0 openings", Counts.count(0, "opening"));
  }

  @Test
  void count_irregularPlural_usesTheGivenPlural() {
    assertEquals("1 SM entry", Counts.count(1, "SM entry", "SM entries"));
    assertEquals("2 SM entries", Counts.count(2, "SM entry", "SM entries"));
  }

  @Test
  void count_long_keepsEveryDigit() {
    assertEquals("4294967296 rows", Counts.count(1L << 32, "row"));
  }
}
