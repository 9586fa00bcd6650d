package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gpuattest.kernels.IterationResult;
import org.gpuattest.kernels.cuda.CudaDriver.Event;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;

/**
 * The prove loop of one {@link CudaDevice} (docs/protocol.md §2.1; issue 23): a batch of
 * iterations queued at once and waited for once, the products on the device's stream and the
 * hashing of up to {@link KernelGeometry#inFlight} iterations at once on hashing streams of
 * their own, so host overhead is per batch, not per iteration, and only the 32-byte roots come
 * back. The buffers, streams and events are the device's ({@link DeviceResources}); a kept
 * product (the memory phase, {@link CudaMemory}) is written in place in the kept allocation.
 */
final class PipelinedLoop {
  /**
   * Events per iteration: before the fill, after it, after the product (C ready), then on the
   * hashing stream its start and its end (C free again).
   */
  private static final int MARKS = 5;
  /** Events a batch uses: {@link #MARKS} per iteration, and the end of the batch's loop. */
  static final int EVENTS = CudaDevice.BATCH * MARKS + 1;

  private final CudaDevice device;
  private final CudaDriver driver;
  private final DeviceResources res;
  private final PhaseTimes times;

  PipelinedLoop(CudaDevice device, CudaDriver driver, DeviceResources res, PhaseTimes times) {
    this.device = device;
    this.driver = driver;
    this.res = res;
    this.times = times;
  }

  /**
   * One batch: the fill and product of each iteration s on the product's stream, its row
   * hashing and tree on hashing stream s mod k, which waits for s's product (its C ready)
   * while the products of s+1, s+2, ... run. Iteration s uses C, leaves and scratch of slot
   * s mod k, so the product of s+k waits until the hashing of s has finished with the buffer
   * they share; up to k iterations' hashing runs at once. Only the batch's roots come back.
   *
   * @param count at most {@link CudaDevice#BATCH}
   * @param slots k, the iterations in flight the device allocated for at size n
   * @param memory the kept products, or null when none are kept
   */
  List<IterationResult> batch(int first, int count, int g, int n, int slots,
      CudaMemory memory) throws CudaException {
    Event[] marks = res.eventArray();
    CudaDriver.Stream compute = res.stream();
    driver.setCurrent(res.context());
    for (int s = 0; s < count; s++) {
      int t = first + s;
      int m = s * MARKS;
      int slot = s % slots;
      CudaDriver.Stream hashing = res.hashStream(slot);
      // A kept product is written in place in the kept allocation, else in the slot's C.
      DevicePointer c = memory != null && memory.keeps(t) ? memory.slot(t)
          : res.buffer("C" + slot);
      if (s >= slots) {
        // s-k's hashing done with the slot's C, leaves and scratch
        driver.waitEvent(compute, marks[m - slots * MARKS + 4]);
      }
      driver.record(marks[m], compute);
      device.fill(res.buffer("A"), t, g, 0, compute);
      driver.record(marks[m + 1], compute);
      device.multiply(c, compute);
      driver.record(marks[m + 2], compute);
      driver.waitEvent(hashing, marks[m + 2]); // c holds C(g, t)
      driver.record(marks[m + 3], hashing);
      device.hashRows(c, res.buffer("leaves" + slot), hashing);
      device.launch(Kernel.TREE, KernelGeometry.treeGrid(), KernelGeometry.treeBlock(), hashing,
          res.buffer("leaves" + slot), res.buffer("scratch" + slot), n,
          res.buffer("roots").plus(32L * s));
      driver.record(marks[m + 4], hashing);
    }
    Event end = marks[CudaDevice.BATCH * MARKS]; // the whole loop: every slot's last hashing
    for (int s = Math.max(0, count - slots); s < count; s++) {
      driver.waitEvent(compute, marks[s * MARKS + 4]);
    }
    driver.record(end, compute);
    driver.synchronize(compute);
    for (int i = 0; i < slots; i++) {
      driver.synchronize(res.hashStream(i));
    }
    byte[] roots = new byte[32 * count];
    driver.copyToHost(roots, res.buffer("roots"));
    long loop = times.addLoop(driver, marks[0], end);
    List<IterationResult> out = new ArrayList<>(count);
    for (int s = 0; s < count; s++) {
      times.add(driver, marks, s * MARKS);
      // Each iteration's share of the batch's loop, so that the kernel time a device reports
      // (docs/protocol.md §4.2) sums to the GPU's busy time: the phases' sums would count
      // each hashing again beside the products it overlaps.
      long share = loop / count + (s < loop % count ? 1 : 0);
      out.add(new IterationResult(Arrays.copyOfRange(roots, 32 * s, 32 * s + 32), share));
    }
    return out;
  }
}
