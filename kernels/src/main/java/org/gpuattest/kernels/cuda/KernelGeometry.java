package org.gpuattest.kernels.cuda;

import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * The canonical-v1 kernels' names, PTX files and launch shapes: the one place the host side
 * and the kernels' Java models (in the tests) take them from, so a test without a GPU runs the
 * same grid the GPU gets. The kernels' CUDA C sources are in {@code kernels/src/main/cuda}, and
 * their PTX in the top-level {@code ptx/} (see ptx/README.md for each kernel's parameters).
 * The product kernels' tiles, threads and shared memory are common's {@link ProductGeometry},
 * the table the validator derives its SM bounds from.
 */
public final class KernelGeometry {
  private KernelGeometry() {}

  /** Square tile of C each matmul block computes, and the threads per side of a block. */
  public static final int MATMUL_TILE = ProductGeometry.MATMUL_FFMA.tile;
  public static final int MATMUL_THREADS_PER_SIDE = 16;

  /** Slots of the SM monitor's per-SM arrays; a block with %smid beyond is counted at its id mod this. */
  public static final int MONITOR_SLOTS = 1024;

  /**
   * Threads per block of matmul_dmma (1-D): 8 warps in 4 x 2, each computing 16 x 32 of the
   * block's 64 x 64 tile of C as 2 x 4 tensor-core tiles of 8 x 8 (kernels/src/main/cuda/
   * dmma_layout.cuh); also of matmul_dmma_wide, whose 8 warps form 2 x 4 of 64 x 32 each
   * (dmma_wide_layout.cuh).
   */
  public static final int DMMA_THREADS = ProductGeometry.MATMUL_DMMA.threads;

  /**
   * The lowest compute capability (major * 10 + minor) that runs matmul_dmma: 8.0, because
   * {@code mma.sync.aligned.m8n8k4} with .f64 operands and {@code cp.async} exist from sm_80 on,
   * and its PTX declares {@code .target sm_80} (a driver refuses to load it on an older GPU).
   * Reaching this capability is necessary, not sufficient: that one m8n8k4 f64 mma equals the
   * four-step fma chain of docs/protocol.md section 1.5 was measured on an H100 only, so a GPU
   * of another architecture must pass a bit-for-bit self-test before its result is trusted.
   */
  public static final int DMMA_MIN_COMPUTE_CAPABILITY =
      ProductGeometry.MATMUL_DMMA.minCapability;

  /**
   * Square tile of C each matmul_dmma_wide block computes: 128, so that kernel takes only n
   * that are multiples of 128 (kernels/src/main/cuda/dmma_wide_layout.cuh); other n run
   * matmul_dmma. Its 8 warps ({@link #DMMA_THREADS}) form 2 x 4, each 64 x 32 of C.
   */
  public static final int DMMA_WIDE_TILE = ProductGeometry.MATMUL_DMMA_WIDE.tile;

  /**
   * Dynamic shared memory of a matmul_dmma_wide block: 3 stages x (128 x 20 + 16 x 132)
   * doubles (DMMA_WIDE_SHARED_BYTES in dmma_wide_layout.cuh). Above the 48 KiB any block gets,
   * so the host raises the function's CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES to it
   * before the first launch ({@link CudaDriver#setMaxDynamicSharedBytes}); a GPU that allows
   * less (sm_86 and sm_89: 99 KiB) refuses, and runs matmul_dmma.
   */
  public static final int DMMA_WIDE_SHARED_BYTES =
      ProductGeometry.MATMUL_DMMA_WIDE.dynamicSharedBytes;

  /** Dynamic shared memory any block may have without raising the function's limit. */
  public static final int DEFAULT_MAX_DYNAMIC_SHARED_BYTES = 48 * 1024;

  /** Threads per block of the Philox fill; each thread writes one Philox block (2 elements). */
  public static final int FILL_THREADS = 256;

  /** Threads per block of the row hashing (one row each); small, to spread rows over SMs. */
  public static final int ROW_HASH_THREADS = 32;

  /**
   * Threads of the single block that reduces the row leaves to r(g, t): 128, so that it fits
   * on an SM beside a block of matmul_dmma_wide (208 registers x 256 threads leave each of
   * the four register sub-partitions 3,072 of its 16,384; the tree's 47 registers take 1,536
   * a warp, one warp per sub-partition at 128 threads, four at 512) and never holds an SM's
   * product block back while it runs. It is throughput-bound on its one SM either way
   * (docs/benchmarks.md, "Performance model").
   */
  public static final int TREE_THREADS = 128;

  /** Iterations queued before one wait: a device's roots buffer has this many 32-byte slots. */
  public static final int BATCH = 64;

  /**
   * Iterations in flight at size n: C buffers, leaves/scratch pairs and hashing streams, so
   * the hashing of up to this many iterations runs beside the products that follow. A row's
   * leaf is a chain of n/8 + 1 SHA-256 compressions, so hashing takes time in proportion to n
   * while the product takes n^3: the performance model (docs/benchmarks.md, "Performance
   * model") has the hashing of an iteration at n = 2048 take about 1.8 products of
   * matmul_dmma_wide on an H100 and H200, so 3 in flight hide it there (2: about 36% added);
   * at n = 1024 about 8 products of matmul_dmma, so 8; from n = 4096 on 2 hide it (about 1%
   * added). Each slot costs a C of 8 n^2 bytes.
   */
  public static int inFlight(int n) {
    if (n <= 1024) {
      return 8;
    }
    return n < 4096 ? 3 : 2;
  }

  /**
   * Rows of one kept product each memory_pass block streams, one per thread (MEMORY_ROWS in
   * memory_pass.cu): n is a multiple of 64, so the blocks tile every product exactly.
   */
  public static final int MEMORY_ROWS = 64;

  /** Threads per block of memory_leaves: one element's leaf each. */
  public static final int MEMORY_LEAF_THREADS = 256;

  /** The kernels: entry name and the PTX file (in ptx/) that holds it. */
  public enum Kernel {
    PHILOX_FILL("philox_fill", "philox_fill.ptx"),
    MATMUL("matmul_ffma", "matmul_ffma.ptx"),
    /** The same product without the SM monitor: 'attestor bench' times the monitor's cost. */
    MATMUL_UNMONITORED("matmul_ffma_unmonitored", "matmul_ffma.ptx"),
    /**
     * The same product on FP64 tensor cores (mma m8n8k4 .f64), same parameters as MATMUL.
     * Its PTX targets sm_80: it needs compute capability
     * {@link KernelGeometry#DMMA_MIN_COMPUTE_CAPABILITY}.
     */
    MATMUL_DMMA("matmul_dmma", "matmul_dmma.ptx"),
    /** matmul_dmma without the SM monitor, for 'attestor bench', as MATMUL_UNMONITORED. */
    MATMUL_DMMA_UNMONITORED("matmul_dmma_unmonitored", "matmul_dmma.ptx"),
    /**
     * The same product on FP64 tensor cores with 128 x 128 block tiles, same parameters as
     * MATMUL, launched with {@link KernelGeometry#DMMA_WIDE_SHARED_BYTES} of dynamic shared
     * memory; needs compute capability 8.0 and n a multiple of {@link #DMMA_WIDE_TILE}.
     */
    MATMUL_DMMA_WIDE("matmul_dmma_wide", "matmul_dmma_wide.ptx", DMMA_WIDE_SHARED_BYTES),
    /** matmul_dmma_wide without the SM monitor, for 'attestor bench'. */
    MATMUL_DMMA_WIDE_UNMONITORED("matmul_dmma_wide_unmonitored", "matmul_dmma_wide.ptx",
        DMMA_WIDE_SHARED_BYTES),
    ROW_HASH("sha256_rows", "sha256_merkle.ptx"),
    TREE("merkle_root", "sha256_merkle.ptx"),
    /** The memory phase's pass over the kept products (docs/protocol.md §2.2). */
    MEMORY_PASS("memory_pass", "memory_pass.ptx"),
    /** The pass's element leaves. */
    MEMORY_LEAVES("memory_leaves", "memory_pass.ptx"),
    /** Each kept product's vector root s_p(g, t) and its leaf in the memory tree. */
    MEMORY_VECTOR_ROOTS("memory_vector_roots", "memory_pass.ptx");

    public final String entry;
    public final String ptxFile;
    /** Dynamic shared memory every launch of this kernel passes (0: all of it is static). */
    public final int dynamicSharedBytes;

    Kernel(String entry, String ptxFile) {
      this(entry, ptxFile, 0);
    }

    Kernel(String entry, String ptxFile, int dynamicSharedBytes) {
      this.entry = entry;
      this.ptxFile = ptxFile;
      this.dynamicSharedBytes = dynamicSharedBytes;
    }

    /** The kernel with this entry name, if any. */
    public static java.util.Optional<Kernel> byEntry(String entry) {
      for (Kernel k : values()) {
        if (k.entry.equals(entry)) {
          return java.util.Optional.of(k);
        }
      }
      return java.util.Optional.empty();
    }
  }

  /** philox_fill over an n x n matrix: one thread per Philox block (two elements). */
  public static Dim3 fillGrid(int n) {
    long pairs = (long) n * n / 2;
    return Dim3.of((int) ((pairs + FILL_THREADS - 1) / FILL_THREADS));
  }

  public static Dim3 fillBlock() {
    return Dim3.of(FILL_THREADS);
  }

  /** matmul_ffma: block (bx, by) computes the 64 x 64 tile of C at rows 64 by, columns 64 bx. */
  public static Dim3 matmulGrid(int n) {
    return Dim3.of(n / MATMUL_TILE, n / MATMUL_TILE);
  }

  public static Dim3 matmulBlock() {
    return Dim3.of(MATMUL_THREADS_PER_SIDE, MATMUL_THREADS_PER_SIDE);
  }

  /**
   * matmul_dmma: block (bx, by) computes the 64 x 64 tile of C at rows 64 by, columns 64 bx,
   * as matmul_ffma does; n must be a multiple of 64.
   */
  public static Dim3 dmmaGrid(int n) {
    return Dim3.of(n / MATMUL_TILE, n / MATMUL_TILE);
  }

  /**
   * matmul_dmma_wide: block (bx, by) computes the 128 x 128 tile of C at rows 128 by, columns
   * 128 bx; n must be a multiple of 128. Its block is {@link #dmmaBlock()}.
   */
  public static Dim3 dmmaWideGrid(int n) {
    return Dim3.of(n / DMMA_WIDE_TILE, n / DMMA_WIDE_TILE);
  }

  /** matmul_dmma and matmul_dmma_wide: a 1-D block of {@link #DMMA_THREADS} threads (8 warps). */
  public static Dim3 dmmaBlock() {
    return Dim3.of(DMMA_THREADS);
  }

  /** sha256_rows: one thread per row. */
  public static Dim3 rowHashGrid(int n) {
    return Dim3.of((n + ROW_HASH_THREADS - 1) / ROW_HASH_THREADS);
  }

  public static Dim3 rowHashBlock() {
    return Dim3.of(ROW_HASH_THREADS);
  }

  /**
   * memory_pass over {@code kept} products of size n: block (k, r) streams rows 64 r .. 64 r
   * + 63 of product k, so the grid's x is the product (up to 2^31 - 1) and its y the row block
   * (n / 64, at most 256).
   */
  public static Dim3 memoryPassGrid(int n, int kept) {
    return Dim3.of(kept, n / MEMORY_ROWS);
  }

  public static Dim3 memoryPassBlock() {
    return Dim3.of(MEMORY_ROWS);
  }

  /** memory_leaves over {@code count} elements: one thread each. */
  public static Dim3 memoryLeavesGrid(long count) {
    return Dim3.of(Math.toIntExact((count + MEMORY_LEAF_THREADS - 1) / MEMORY_LEAF_THREADS));
  }

  public static Dim3 memoryLeavesBlock() {
    return Dim3.of(MEMORY_LEAF_THREADS);
  }

  /** memory_vector_roots: one block of {@link #treeBlock()} per kept product. */
  public static Dim3 memoryRootsGrid(int kept) {
    return Dim3.of(kept);
  }

  public static Dim3 treeGrid() {
    return Dim3.of(1);
  }

  public static Dim3 treeBlock() {
    return Dim3.of(TREE_THREADS);
  }

  /**
   * Device bytes one device holds at size n: A, B, and per iteration in flight a C (hashed
   * while the next products run), the row leaves and the tree's scratch.
   */
  public static long deviceBytes(int n, int rootSlots) {
    long matrix = (long) n * n * Double.BYTES;
    long leaves = (long) n * 32;
    long scratch = 2L * ((n + 1) / 2) * 32; // two halves: one tree level in, the next out
    long monitor = 2L * MONITOR_SLOTS * Long.BYTES;
    return 2 * matrix + inFlight(n) * (matrix + leaves + scratch) + (long) rootSlots * 32
        + monitor;
  }
}
