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
