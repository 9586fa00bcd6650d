package org.gpuattest.kernels.cuda;

/**
 * The constants of kernels/src/main/cuda/dmma_wide_layout.cuh, one to one, and in {@link
 * #TILING} its index helpers: which warp owns which 8 x 8 mma tile of the 128 x 128 block tile,
 * which stage holds which k-tile, and where each thread's 16-byte cp.async chunks go. {@link
 * DmmaLayoutTest} compiles the header on the host and checks every value against these.
 */
final class DmmaWideLayout {
  private DmmaWideLayout() {}

  static final int TILE = 128; // DMMA_WIDE_TILE
  static final int THREADS = 256; // DMMA_WIDE_THREADS
  static final int KTILE = 16; // DMMA_WIDE_KTILE
  static final int STAGES = 3; // DMMA_WIDE_STAGES
  static final int WARPS_N = 4; // DMMA_WIDE_WARPS_N
  static final int M_TILES = 8; // DMMA_WIDE_M_TILES
  static final int N_TILES = 4; // DMMA_WIDE_N_TILES
  static final int A_STRIDE = 20; // DMMA_WIDE_A_STRIDE
  static final int B_STRIDE = 132; // DMMA_WIDE_B_STRIDE
  static final int A_STAGE = TILE * A_STRIDE; // DMMA_WIDE_A_STAGE
  static final int B_STAGE = KTILE * B_STRIDE; // DMMA_WIDE_B_STAGE
  static final int SHARED_BYTES = STAGES * (A_STAGE + B_STAGE) * 8; // DMMA_WIDE_SHARED_BYTES
  static final int CHUNKS_PER_THREAD = 4; // DMMA_WIDE_CHUNKS_PER_THREAD
  static final int WARPS = THREADS / 32;

  /** matmul_dmma_wide's tiling, for {@link DmmaModel}. */
  static final DmmaTiling TILING = new DmmaTiling("matmul_dmma_wide",
      KernelGeometry::dmmaWideGrid, TILE, THREADS, KTILE, STAGES, WARPS_N, M_TILES, N_TILES,
      A_STRIDE, B_STRIDE, CHUNKS_PER_THREAD);
}
