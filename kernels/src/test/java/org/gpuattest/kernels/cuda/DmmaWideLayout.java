package org.gpuattest.kernels.cuda;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * The index helpers of kernels/src/main/cuda/dmma_wide_layout.cuh, one to one: which warp owns
 * which 8 x 8 mma tile of the 128 x 128 block tile, which stage holds which k-tile, and where
 * each thread's 16-byte cp.async chunks go. {@link DmmaLayoutTest} compiles the header on the
 * host and checks every value against these.
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

  static int tileRow(int warp, int mi) {
    return (warp / WARPS_N) * (8 * M_TILES) + 8 * mi;
  }

  static int tileCol(int warp, int ni) {
    return (warp % WARPS_N) * (8 * N_TILES) + 8 * ni;
  }

  static int stage(int t) {
    return t % STAGES;
  }

  static int aChunkRow(int c) {
    return c / (KTILE / 2);
  }

  static int aChunkK(int c) {
    return 2 * (c % (KTILE / 2));
  }

  static int bChunkK(int c) {
    return c / (TILE / 2);
  }

  static int bChunkCol(int c) {
    return 2 * (c % (TILE / 2));
  }

  /** matmul_dmma_wide's tiling, for {@link DmmaModel}. */
  static final DmmaTiling TILING = new DmmaTiling() {
    @Override
    public String entry() {
      return "matmul_dmma_wide";
    }

    @Override
    public Dim3 grid(int n) {
      return KernelGeometry.dmmaWideGrid(n);
    }

    @Override
    public int tile() {
      return TILE;
    }

    @Override
    public int threads() {
      return THREADS;
    }

    @Override
    public int ktile() {
      return KTILE;
    }

    @Override
    public int stages() {
      return STAGES;
    }

    @Override
    public int stage(int t) {
      return DmmaWideLayout.stage(t);
    }

    @Override
    public int mTiles() {
      return M_TILES;
    }

    @Override
    public int nTiles() {
      return N_TILES;
    }

    @Override
    public int aStride() {
      return A_STRIDE;
    }

    @Override
    public int bStride() {
      return B_STRIDE;
    }

    @Override
    public int chunksPerThread() {
      return CHUNKS_PER_THREAD;
    }

    @Override
    public int tileRow(int warp, int mi) {
      return DmmaWideLayout.tileRow(warp, mi);
    }

    @Override
    public int tileCol(int warp, int ni) {
      return DmmaWideLayout.tileCol(warp, ni);
    }

    @Override
    public int aChunkRow(int c) {
      return DmmaWideLayout.aChunkRow(c);
    }

    @Override
    public int aChunkK(int c) {
      return DmmaWideLayout.aChunkK(c);
    }

    @Override
    public int bChunkK(int c) {
      return DmmaWideLayout.bChunkK(c);
    }

    @Override
    public int bChunkCol(int c) {
      return DmmaWideLayout.bChunkCol(c);
    }
  };
}
