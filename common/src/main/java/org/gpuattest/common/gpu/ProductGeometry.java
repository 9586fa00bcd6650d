package org.gpuattest.common.gpu;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The shapes of the monitored product kernels (docs/protocol.md §1.5, ptx/README.md): the one
 * table the attestor launches them from (kernels' KernelGeometry and ProductChoice) and the
 * validator derives its SM bounds from (docs/protocol.md §8.3, checks 12-14). A commitment
 * names its kernel by {@link #entry}; the validator takes nothing else about the geometry from
 * it: blocks, waves and resident blocks per SM follow from n, the SM count and the compute
 * capability with these figures.
 *
 * <p>Registers are what ptxas 13.0 reports for the monitored entry ({@code ptxas -v
 * --gpu-name sm_XY ptx/FILE.ptx}); the kernels' PtxFilesTest checks them against ptxas where
 * it is installed. The driver compiles the PTX itself when it loads it, so another driver may
 * allocate other counts; the attestor warns when the driver's occupancy differs from this
 * table's (docs/soundness.md §6, "The SM checks' bounds").
 */
public enum ProductGeometry {
  /** FFMA: 64 x 64 tile, 16 x 16 threads, two 8 KiB shared tiles; any GPU the PTX loads on. */
  MATMUL_FFMA("matmul_ffma", 64, 256, 16384, 0, 75, Map.of(75, 108, 80, 108, 86, 106, 87, 106,
      89, 106, 90, 110, 100, 110, 103, 108, 120, 110, 121, 110)),
  /** FP64 tensor cores, 64 x 64 tile, 8 warps, 2 x (64·20 + 16·68) doubles of shared memory. */
  MATMUL_DMMA("matmul_dmma", 64, 256, 37888, 0, 80, Map.of(80, 62, 86, 88, 87, 64, 89, 88,
      90, 64, 100, 78, 103, 64, 120, 70, 121, 70)),
  /**
   * FP64 tensor cores, 128 x 128 tile, 8 warps, 3 x (128·20 + 16·132) doubles of dynamic
   * shared memory (dmma_wide_layout.cuh's DMMA_WIDE_SHARED_BYTES).
   */
  MATMUL_DMMA_WIDE("matmul_dmma_wide", 128, 256, 0, 3 * (128 * 20 + 16 * 132) * Double.BYTES,
      80, Map.of(80, 206, 86, 206, 87, 206, 89, 206, 90, 208, 100, 204, 103, 204, 120, 212,
          121, 212));

  /** The PTX entry name: what a commitment's {@code kernel.name} says. */
  public final String entry;
  /** Side of the square tile of C one block computes; n must be a multiple of it. */
  public final int tile;
  public final int threads;
  public final int staticSharedBytes;
  public final int dynamicSharedBytes;
  /** The lowest compute capability (major * 10 + minor) whose GPUs run this kernel. */
  public final int minCapability;
  private final Map<Integer, Integer> registers;

  ProductGeometry(String entry, int tile, int threads, int staticSharedBytes,
      int dynamicSharedBytes, int minCapability, Map<Integer, Integer> registers) {
    this.entry = entry;
    this.tile = tile;
    this.threads = threads;
    this.staticSharedBytes = staticSharedBytes;
    this.dynamicSharedBytes = dynamicSharedBytes;
    this.minCapability = minCapability;
    this.registers = registers;
  }

  /** The kernel a commitment names, if this build knows it. */
  public static Optional<ProductGeometry> byEntry(String entry) {
    for (ProductGeometry g : values()) {
      if (g.entry.equals(entry)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /** Whether the tile divides n. */
  public boolean fits(int n) {
    return n > 0 && n % tile == 0;
  }

  /** Blocks of one launch at n: (n / tile)². */
  public long blocks(int n) {
    long side = n / tile;
    return side * side;
  }

  /** Registers per thread on this architecture, as ptxas 13.0 allocates them. */
  public OptionalInt registers(SmArchitecture arch) {
    Integer r = registers.get(arch.code());
    return r == null ? OptionalInt.empty() : OptionalInt.of(r);
  }

  /**
   * Blocks of this kernel one SM of {@code arch} holds at once, as the CUDA occupancy
   * calculator counts them: the least of the architecture's block limit, its threads, its
   * registers (per warp in units of 256, over 4 sub-partitions) and its shared memory (with
   * the per-block reserve, in the architecture's units). 0 where the kernel cannot run (below
   * {@link #minCapability}, or a block needs more shared memory than the GPU grants one).
   */
  public int blocksPerSm(SmArchitecture arch) {
    OptionalInt regs = registers(arch);
    if (arch.code() < minCapability || regs.isEmpty()) {
      return 0;
    }
    int warps = (threads + SmArchitecture.WARP - 1) / SmArchitecture.WARP;
    int byThreads = arch.maxThreads() / SmArchitecture.WARP / warps;
    int perWarp = roundUp(regs.getAsInt() * SmArchitecture.WARP, SmArchitecture.REGISTER_UNIT);
    int warpsPerPartition = SmArchitecture.REGISTERS / SmArchitecture.SUB_PARTITIONS / perWarp;
    int byRegisters = warpsPerPartition * SmArchitecture.SUB_PARTITIONS / warps;
    int shared = roundUp(staticSharedBytes + dynamicSharedBytes + arch.reservedSharedBytes(),
        arch.sharedUnit());
    if (shared > arch.sharedOptInBytes() + arch.reservedSharedBytes()) {
      return 0;
    }
    int byShared = arch.sharedBytes() / shared;
    return Math.min(Math.min(arch.maxBlocks(), byThreads), Math.min(byRegisters, byShared));
  }

  /**
   * The most blocks of this kernel any SM could hold (2048 threads, the most of any
   * architecture, over its threads per block): the bound where the compute capability is not
   * in {@link SmArchitecture#KNOWN}.
   */
  public int maxBlocksPerSmAnywhere() {
    return 2048 / threads;
  }

  private static int roundUp(int x, int unit) {
    return (x + unit - 1) / unit * unit;
  }
}
