package org.gpuattest.kernels.cuda;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * The canonical-v1 kernels' names, PTX files and launch shapes: the one place the host side
 * and the kernels' Java models (in the tests) take them from, so a test without a GPU runs the
 * same grid the GPU gets. The kernels' CUDA C sources are in {@code kernels/src/main/cuda}, and
 * their PTX in the top-level {@code ptx/} (see ptx/README.md for each kernel's parameters).
 */
public final class KernelGeometry {
  private KernelGeometry() {}

  /** Square tile of C each matmul block computes, and the threads per side of a block. */
  public static final int MATMUL_TILE = 64;
  public static final int MATMUL_THREADS_PER_SIDE = 16;

  /** Slots of the SM monitor's per-SM arrays; a block with %smid beyond is counted at its id mod this. */
  public static final int MONITOR_SLOTS = 1024;

  /**
   * Threads per block of matmul_dmma (1-D): 8 warps in 4 x 2, each computing 16 x 32 of the
   * block's 64 x 64 tile of C as 2 x 4 tensor-core tiles of 8 x 8 (kernels/src/main/cuda/
   * dmma_layout.cuh).
   */
  public static final int DMMA_THREADS = 256;

  /**
   * The lowest compute capability (major * 10 + minor) that runs matmul_dmma: 8.0, because
   * {@code mma.sync.aligned.m8n8k4} with .f64 operands and {@code cp.async} exist from sm_80 on,
   * and its PTX declares {@code .target sm_80} (a driver refuses to load it on an older GPU).
   * Reaching this capability is necessary, not sufficient: that one m8n8k4 f64 mma equals the
   * four-step fma chain of docs/protocol.md section 1.5 was measured on an H100 only, so a GPU
   * of another architecture must pass a bit-for-bit self-test before its result is trusted.
   */
  public static final int DMMA_MIN_COMPUTE_CAPABILITY = 80;

  /** Threads per block of the Philox fill; each thread writes one Philox block (2 elements). */
  public static final int FILL_THREADS = 256;

  /** Threads per block of the row hashing (one row each); small, to spread rows over SMs. */
  public static final int ROW_HASH_THREADS = 32;

  /** Threads of the single block that reduces the row leaves to r(g, t). */
  public static final int TREE_THREADS = 512;

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
    ROW_HASH("sha256_rows", "sha256_merkle.ptx"),
    TREE("merkle_root", "sha256_merkle.ptx");

    public final String entry;
    public final String ptxFile;

    Kernel(String entry, String ptxFile) {
      this.entry = entry;
      this.ptxFile = ptxFile;
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

  /** matmul_dmma: a 1-D block of {@link #DMMA_THREADS} threads (8 warps). */
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

  public static Dim3 treeGrid() {
    return Dim3.of(1);
  }

  public static Dim3 treeBlock() {
    return Dim3.of(TREE_THREADS);
  }

  /**
   * Device bytes one device holds at size n: A, B, two C (one hashed while the next product
   * runs), the row leaves and the tree's scratch.
   */
  public static long deviceBytes(int n, int rootSlots) {
    long matrix = (long) n * n * Double.BYTES;
    long leaves = (long) n * 32;
    long scratch = 2L * ((n + 1) / 2) * 32; // two halves: one tree level in, the next out
    long monitor = 2L * MONITOR_SLOTS * Long.BYTES;
    return 4 * matrix + leaves + scratch + (long) rootSlots * 32 + monitor;
  }
}
