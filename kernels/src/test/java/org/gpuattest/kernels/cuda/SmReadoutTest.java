package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gpuattest.common.message.SmMonitor;
import org.junit.jupiter.api.Test;

/**
 * The monitor's per-slot counters become the commitment's SmMonitor (issue 19, A3): %smid is
 * not promised below the SM count (an H100 SXM enables 132 of 144), so every slot that ran a
 * block keeps its id, and the busy fraction is over the device's SMs, whatever their ids.
 */
class SmReadoutTest {
  private static long[] slots(long... firstSlots) {
    long[] all = new long[KernelGeometry.MONITOR_SLOTS];
    System.arraycopy(firstSlots, 0, all, 0, firstSlots.length);
    return all;
  }

  @Test
  void sparseIds_keepTheirSlots_andBusyIsOverTheSmCount() {
    // 4 SMs with ids 0, 2, 5 and 7: 3 blocks each of 10 ns, 2 blocks per SM, 40 ns of kernel.
    long[] blocks = slots(3, 0, 3, 0, 0, 3, 0, 3);
    long[] busy = slots(30, 0, 30, 0, 0, 30, 0, 30);
    SmMonitor m = SmReadout.monitor(blocks, busy, 4, 2, 40);
    assertArrayEquals(new long[] {3, 0, 3, 0, 0, 3, 0, 3}, m.blocksPerSm());
    assertEquals(120.0 / (4 * 2 * 40), m.busyFraction(), 1e-15);
  }

  @Test
  void denseIds_giveSmCountEntries() {
    SmMonitor m = SmReadout.monitor(slots(1, 1, 1, 0), slots(5, 5, 5, 0), 4, 1, 5);
    assertArrayEquals(new long[] {1, 1, 1, 0}, m.blocksPerSm());
    assertEquals(15.0 / 20, m.busyFraction(), 1e-15);
  }

  @Test
  void theLastSlot_isKept() {
    long[] blocks = slots();
    blocks[KernelGeometry.MONITOR_SLOTS - 1] = 1;
    assertEquals(KernelGeometry.MONITOR_SLOTS,
        SmReadout.monitor(blocks, slots(), 132, 1, 1).blocksPerSm().length);
  }
}
