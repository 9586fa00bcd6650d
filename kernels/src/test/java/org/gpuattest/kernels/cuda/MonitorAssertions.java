package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;

/** What the product kernels' models leave in the SM monitor's slots, checked one way. */
final class MonitorAssertions {
  private MonitorAssertions() {}

  /**
   * {@code blocks} blocks ran, block b on SM b % smCount, each taking 10 ns of the test's
   * clock: the slot counts and busy times say exactly that, and no other slot is touched.
   */
  static void assertRoundRobin(ByteBuffer counts, ByteBuffer busy, int smCount, int blocks) {
    long[] want = new long[smCount];
    for (int block = 0; block < blocks; block++) {
      want[block % smCount]++;
    }
    long total = 0;
    for (int slot = 0; slot < KernelGeometry.MONITOR_SLOTS; slot++) {
      long count = counts.getLong(8 * slot);
      assertEquals(slot < smCount ? want[slot] : 0, count, "slot " + slot);
      assertEquals(10 * count, busy.getLong(8 * slot), "busy ns of slot " + slot);
      total += count;
    }
    assertEquals(blocks, total);
  }
}
