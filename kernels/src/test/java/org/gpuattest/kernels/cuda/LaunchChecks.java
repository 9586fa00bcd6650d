package org.gpuattest.kernels.cuda;

import java.util.OptionalInt;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.emu.KernelEntry;

/**
 * What the CUDA driver checks before a launch, and its occupancy calculator, for
 * {@link EmulatedCudaDriver}: the arguments against the {@code .entry} signature, the block and
 * grid against the GPU's limits (CUDA C++ Programming Guide, "Technical Specifications per
 * Compute Capability": 1024 threads a block, 1024 x 1024 x 64 a block's sides, a grid 2^31 - 1
 * x 65535 x 65535) and the entry's {@code .maxntid}, and the shared memory against the
 * function's limit (48 KiB less its static shared memory unless cuFuncSetAttribute raised it,
 * never past the architecture's opt-in). Each refusal is the CUresult a real driver gives,
 * with words of ours naming the limit.
 */
final class LaunchChecks {
  /** cuda.h: a launch asking more than the function's registers or .maxntid allow. */
  static final int LAUNCH_OUT_OF_RESOURCES = 701;
  static final int MAX_BLOCK_THREADS = 1024;
  static final int DEFAULT_SHARED_LIMIT = KernelGeometry.DEFAULT_MAX_DYNAMIC_SHARED_BYTES;

  private LaunchChecks() {}

  /** A refused launch: the code a driver gives, and what was wrong. */
  static final class Refusal extends Exception {
    final int code;

    Refusal(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  /**
   * The arguments as {@link org.gpuattest.kernels.emu.Launch#run} takes them, each a
   * {@link DevicePointer} (its address from {@code addressOf}), {@link Long} or {@link Integer}
   * of the size its parameter declares.
   *
   * @throws IllegalArgumentException an argument of another type (the seam's contract)
   */
  static long[] arguments(KernelEntry entry, Object[] args,
      java.util.function.ToLongFunction<DevicePointer> addressOf) throws Refusal {
    if (args.length != entry.paramCount()) {
      throw new Refusal(CudaException.INVALID_VALUE, entry.name() + " takes "
          + entry.paramCount() + " parameters, " + args.length + " given");
    }
    long[] values = new long[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      int size;
      if (a instanceof DevicePointer p) {
        size = 8;
        values[i] = addressOf.applyAsLong(p);
      } else if (a instanceof Long l) {
        size = 8;
        values[i] = l;
      } else if (a instanceof Integer n) {
        size = 4;
        values[i] = n & 0xffff_ffffL;
      } else {
        throw new IllegalArgumentException("argument " + i + " of " + entry.name()
            + " is a " + (a == null ? "null" : a.getClass().getName())
            + ", not a DevicePointer, Long or Integer");
      }
      if (size != entry.paramSize(i)) {
        throw new Refusal(CudaException.INVALID_VALUE, "parameter " + i + " of " + entry.name()
            + " is " + entry.paramSize(i) + " bytes, the argument " + size);
      }
    }
    return values;
  }

  /** The block, the grid and the shared memory, against the GPU and the function's limits. */
  static void shape(KernelEntry entry, SmArchitecture arch, Dim3 grid, Dim3 block,
      int dynamicSharedBytes, int dynamicSharedLimit) throws Refusal {
    if (block.x() < 1 || block.y() < 1 || block.z() < 1 || block.x() > MAX_BLOCK_THREADS
        || block.y() > MAX_BLOCK_THREADS || block.z() > 64
        || block.count() > MAX_BLOCK_THREADS) {
      throw new Refusal(CudaException.INVALID_VALUE, "block " + dims(block) + ": at most "
          + MAX_BLOCK_THREADS + " threads, 1024 x 1024 x 64");
    }
    if (grid.x() < 1 || grid.y() < 1 || grid.z() < 1 || grid.y() > 65535 || grid.z() > 65535) {
      throw new Refusal(CudaException.INVALID_VALUE, "grid " + dims(grid)
          + ": at most 2147483647 x 65535 x 65535");
    }
    if (block.count() > entry.maxThreadsPerBlock()) {
      throw new Refusal(LAUNCH_OUT_OF_RESOURCES, entry.name() + " takes at most "
          + entry.maxThreadsPerBlock() + " threads a block (.maxntid), launched with "
          + block.count());
    }
    OptionalInt regs = registers(entry.name(), arch);
    if (regs.isPresent() && warps((int) block.count()) * registersPerWarp(regs.getAsInt())
        > SmArchitecture.REGISTERS) {
      throw new Refusal(LAUNCH_OUT_OF_RESOURCES, entry.name() + " with " + block.count()
          + " threads needs more than an SM's registers");
    }
    if (dynamicSharedBytes < 0 || dynamicSharedBytes > dynamicSharedLimit) {
      throw new Refusal(CudaException.INVALID_VALUE, entry.name() + " launched with "
          + dynamicSharedBytes + " bytes of dynamic shared memory, its limit is "
          + dynamicSharedLimit + (dynamicSharedLimit == defaultLimit(entry)
              ? " (raise it with cuFuncSetAttribute)" : ""));
    }
    if ((long) entry.staticSharedBytes() + dynamicSharedBytes > arch.sharedOptInBytes()) {
      throw new Refusal(CudaException.INVALID_VALUE, entry.name() + ": "
          + entry.staticSharedBytes() + " static + " + dynamicSharedBytes + " dynamic bytes of"
          + " shared memory, over sm_" + arch.code() + "'s " + arch.sharedOptInBytes());
    }
  }

  /** The dynamic shared memory a function may have before cuFuncSetAttribute raises it. */
  static int defaultLimit(KernelEntry entry) {
    return Math.max(0, DEFAULT_SHARED_LIMIT - entry.staticSharedBytes());
  }

  /**
   * cuFuncSetAttribute(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES): the most a block may
   * opt in to, less the function's static shared memory.
   */
  static void sharedLimit(KernelEntry entry, SmArchitecture arch, int bytes) throws Refusal {
    int most = arch.sharedOptInBytes() - entry.staticSharedBytes();
    if (bytes < 0 || bytes > most) {
      throw new Refusal(CudaException.INVALID_VALUE, entry.name() + " may have at most " + most
          + " bytes of dynamic shared memory on sm_" + arch.code() + ", asked " + bytes);
    }
  }

  /**
   * cuOccupancyMaxActiveBlocksPerMultiprocessor, as the CUDA occupancy calculator counts (and
   * as common's {@link ProductGeometry#blocksPerSm}): the least of the architecture's block
   * limit, its threads, its registers (per warp in units of 256, over 4 sub-partitions) and
   * its shared memory (with the per-block reserve, in the architecture's units); 0 where a
   * block cannot run at all.
   */
  static int blocksPerSm(KernelEntry entry, SmArchitecture arch, int blockThreads,
      int dynamicSharedBytes) {
    if (blockThreads < 1 || blockThreads > entry.maxThreadsPerBlock()
        || (long) entry.staticSharedBytes() + dynamicSharedBytes > arch.sharedOptInBytes()) {
      return 0;
    }
    int warps = warps(blockThreads);
    int byThreads = arch.maxThreads() / (warps * SmArchitecture.WARP);
    int byRegisters = Integer.MAX_VALUE;
    OptionalInt regs = registers(entry.name(), arch);
    if (regs.isPresent()) {
      int perPartition = SmArchitecture.REGISTERS / SmArchitecture.SUB_PARTITIONS
          / registersPerWarp(regs.getAsInt());
      byRegisters = perPartition * SmArchitecture.SUB_PARTITIONS / warps;
    }
    int shared = roundUp(entry.staticSharedBytes() + dynamicSharedBytes
        + arch.reservedSharedBytes(), arch.sharedUnit());
    int byShared = shared == 0 ? Integer.MAX_VALUE : arch.sharedBytes() / shared;
    return Math.min(Math.min(arch.maxBlocks(), byThreads), Math.min(byRegisters, byShared));
  }

  /**
   * Registers per thread: the driver's JIT compiler chooses them when it loads the PTX, and
   * nothing in the PTX says how many. Where common's geometry table knows the entry (the
   * monitored product kernels) it is what ptxas 13.0 allocates; any other entry is taken to
   * need no more than an SM has, so registers never limit it here.
   */
  static OptionalInt registers(String entry, SmArchitecture arch) {
    return ProductGeometry.byEntry(entry).map(g -> g.registers(arch))
        .orElse(OptionalInt.empty());
  }

  private static int warps(int threads) {
    return (threads + SmArchitecture.WARP - 1) / SmArchitecture.WARP;
  }

  private static int registersPerWarp(int registersPerThread) {
    return roundUp(registersPerThread * SmArchitecture.WARP, SmArchitecture.REGISTER_UNIT);
  }

  private static int roundUp(int x, int unit) {
    return (x + unit - 1) / unit * unit;
  }

  private static String dims(Dim3 d) {
    return d.x() + " x " + d.y() + " x " + d.z();
  }
}
