package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gpuattest.common.message.SmMonitor;

/**
 * Turns the product kernel's per-SM counters (blocks run, and their summed %globaltimer
 * durations, by %smid) into the commitment's {@link SmMonitor}. The busy fraction is the block
 * time the SMs did over the block time they could have done while the product ran: summed
 * block durations / (SMs x blocks resident per SM x product kernel time). %smid is not
 * promised below the SM count (PTX ISA: %nsmid may exceed it; an H100 SXM enables 132 of 144
 * SMs), so the entries run to the highest id that ran a block, and the validator counts the
 * distinct ids with blocks (docs/protocol.md §8.3).
 */
final class SmReadout {
  private SmReadout() {}

  static SmMonitor read(CudaDriver driver, DevicePointer blocks, DevicePointer busy, int smCount,
      int blocksPerSm, long matmulNanos) throws CudaException {
    long[] perSlot = longs(driver, blocks);
    long[] busyPerSlot = longs(driver, busy);
    return monitor(perSlot, busyPerSlot, smCount, blocksPerSm, matmulNanos);
  }

  static SmMonitor monitor(long[] blocksPerSlot, long[] busyPerSlot, int smCount,
      int blocksPerSm, long matmulNanos) {
    int width = smCount;
    for (int s = smCount; s < blocksPerSlot.length; s++) {
      if (blocksPerSlot[s] != 0) {
        width = s + 1; // an %smid past the SM count: show it rather than hide it
      }
    }
    long[] perSm = java.util.Arrays.copyOf(blocksPerSlot, width);
    double busyNanos = 0;
    for (long b : busyPerSlot) {
      busyNanos += b;
    }
    double capacity = (double) smCount * Math.max(1, blocksPerSm) * matmulNanos;
    double fraction = capacity <= 0 ? 0.0 : Math.min(1.0, busyNanos / capacity);
    return new SmMonitor(perSm, fraction);
  }

  private static long[] longs(CudaDriver driver, DevicePointer p) throws CudaException {
    byte[] raw = new byte[KernelGeometry.MONITOR_SLOTS * Long.BYTES];
    driver.copyToHost(raw, p);
    long[] out = new long[KernelGeometry.MONITOR_SLOTS];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    return out;
  }
}
