package org.gpuattest.kernels.emu;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * Runs one kernel launch on an emulated GPU: CTAs spread over its SMs as a hardware block
 * scheduler would, each CTA's warps interpreted with the sanitizer on.
 *
 * <p>Scheduling: each SM holds as many CTAs at once as occupancy allows; CTAs are handed out
 * in order (x fastest), each to the slot that frees first, the first wave round-robin over the
 * SMs. The virtual clock: an SM's four schedulers issue one warp-instruction a cycle each,
 * shared by the CTAs it holds at once (at most the occupancy, and no more than the grid gives
 * each SM), so a CTA takes (its warp-instructions x those CTAs / 4) cycles. %globaltimer reads that clock; a launch ends when its last CTA does. It is a clock
 * that advances with the work done, so busy fractions and kernel times come out of the run;
 * it is not a performance model.
 */
public final class Launch {
  private Launch() {}

  /** As {@link #run(KernelEntry, Dim3, Dim3, int, long[], DeviceMemory, EmulatedGpu, long, int, boolean)}, with occupancy from threads and shared memory. */
  public static LaunchResult run(KernelEntry entry, Dim3 grid, Dim3 block,
      int dynamicSharedBytes, long[] args, DeviceMemory memory, EmulatedGpu gpu,
      long startNanos, boolean count) throws KernelFault {
    return run(entry, grid, block, dynamicSharedBytes, args, memory, gpu, startNanos,
        residentPerSm(entry, block, dynamicSharedBytes, gpu.arch()), count);
  }

  /**
   * Runs {@code entry} over {@code grid} x {@code block}.
   *
   * @param args each parameter's value in the entry's order: a 64-bit parameter (a pointer, a
   *     u64) whole, a 32-bit one in the low 32 bits
   * @param startNanos the GPU's virtual time when the launch starts
   * @param residentPerSm CTAs an SM holds at once (the driver's occupancy answer)
   * @param count whether to collect {@link LaunchCounts} (else the result's counts are null)
   * @throws KernelFault what the kernel did wrong, named as compute-sanitizer names it
   */
  public static LaunchResult run(KernelEntry entry, Dim3 grid, Dim3 block,
      int dynamicSharedBytes, long[] args, DeviceMemory memory, EmulatedGpu gpu,
      long startNanos, int residentPerSm, boolean count) throws KernelFault {
    return run(entry, grid, block, dynamicSharedBytes, args, memory, gpu, startNanos,
        residentPerSm, count, null);
  }

  /**
   * As {@link #run(KernelEntry, Dim3, Dim3, int, long[], DeviceMemory, EmulatedGpu, long, int,
   * boolean)}, feeding {@code chains} (when not null) every warp-instruction issued.
   */
  public static LaunchResult run(KernelEntry entry, Dim3 grid, Dim3 block,
      int dynamicSharedBytes, long[] args, DeviceMemory memory, EmulatedGpu gpu,
      long startNanos, int residentPerSm, boolean count, DependencyChains chains)
      throws KernelFault {
    if (args.length != entry.paramCount()) {
      throw new IllegalArgumentException(entry.name() + " takes " + entry.paramCount()
          + " parameters, given " + args.length);
    }
    long threads = block.count();
    if (threads < 1 || threads > entry.maxThreadsPerBlock() || grid.count() < 1
        || residentPerSm < 1) {
      throw new IllegalArgumentException("launch of " + entry.name() + " with grid " + grid
          + ", block " + block + ", " + residentPerSm + " CTAs per SM");
    }
    // The CTAs sharing an SM's schedulers: the occupancy, unless the grid is too small to
    // give every SM that many.
    long sharing = Math.min(residentPerSm, (grid.count() + gpu.smCount() - 1) / gpu.smCount());
    double nsPerIssue = sharing / (SmArchitecture.SUB_PARTITIONS * gpu.clockGhz());
    Cta cta = new Cta(entry, grid, block, dynamicSharedBytes, args, memory, gpu, nsPerIssue);
    cta.chains = chains;
    PriorityQueue<long[]> slots = new PriorityQueue<>((p, q) -> p[0] != q[0]
        ? Long.compare(p[0], q[0]) : Long.compare(p[1], q[1]));
    int sms = gpu.smCount();
    for (int round = 0; round < residentPerSm; round++) {
      for (int sm = 0; sm < sms; sm++) {
        slots.add(new long[] {startNanos, (long) round * sms + sm, sm});
      }
    }
    List<long[]> perCta = count ? new ArrayList<>() : null;
    long end = startNanos;
    for (int z = 0; z < grid.z(); z++) {
      for (int y = 0; y < grid.y(); y++) {
        for (int x = 0; x < grid.x(); x++) {
          long[] slot = slots.poll();
          long[] counts = count ? new long[LaunchCounts.SLOTS] : null;
          long issued = cta.run(x, y, z, (int) slot[2], slot[0], counts);
          if (count) {
            perCta.add(counts);
          }
          slot[0] += Math.max(1, (long) Math.ceil(issued * nsPerIssue));
          end = Math.max(end, slot[0]);
          slots.add(slot);
        }
      }
    }
    return new LaunchResult(startNanos, end,
        count ? new LaunchCounts(entry.name(), perCta) : null);
  }

  /**
   * CTAs of this launch one SM holds at once, from threads and shared memory only (registers
   * are the JIT compiler's choice; the driver may know better, {@code ProductGeometry}).
   */
  public static int residentPerSm(KernelEntry entry, Dim3 block, int dynamicSharedBytes,
      SmArchitecture arch) {
    int warps = (int) ((block.count() + 31) / 32);
    int byThreads = arch.maxThreads() / (warps * 32);
    int shared = entry.staticSharedBytes() + dynamicSharedBytes;
    int byShared = Integer.MAX_VALUE;
    if (shared > 0) {
      int unit = arch.sharedUnit();
      int perBlock = (shared + arch.reservedSharedBytes() + unit - 1) / unit * unit;
      byShared = arch.sharedBytes() / perBlock;
    }
    return Math.max(1, Math.min(arch.maxBlocks(), Math.min(byThreads, byShared)));
  }
}
