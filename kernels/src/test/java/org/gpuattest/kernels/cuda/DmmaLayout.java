package org.gpuattest.kernels.cuda;

/**
 * The index helpers of kernels/src/main/cuda/dmma_layout.cuh, one to one: which warp owns which
 * 8 x 8 mma tile, which fragment element each lane holds, and where each thread's 16-byte
 * cp.async chunks go. {@link DmmaLayoutTest} compiles the header on the host and checks every
 * value against these.
 */
final class DmmaLayout {
  private DmmaLayout() {}

  static final int TILE = 64; // DMMA_TILE
  static final int THREADS = 256; // DMMA_THREADS
  static final int KTILE = 16; // DMMA_KTILE
  static final int K = 4; // DMMA_K
  static final int WARPS_N = 2; // DMMA_WARPS_N
  static final int M_TILES = 2; // DMMA_M_TILES
  static final int N_TILES = 4; // DMMA_N_TILES
  static final int A_STRIDE = 20; // DMMA_A_STRIDE
  static final int B_STRIDE = 68; // DMMA_B_STRIDE
  static final int CHUNKS_PER_THREAD = 2; // DMMA_CHUNKS_PER_THREAD
  static final int WARPS = THREADS / 32;

  static int tileRow(int warp, int mi) {
    return (warp / WARPS_N) * (8 * M_TILES) + 8 * mi;
  }

  static int tileCol(int warp, int ni) {
    return (warp % WARPS_N) * (8 * N_TILES) + 8 * ni;
  }

  static int aRow(int lane) {
    return lane >> 2;
  }

  static int aK(int lane) {
    return lane & 3;
  }

  static int bK(int lane) {
    return lane & 3;
  }

  static int bCol(int lane) {
    return lane >> 2;
  }

  static int cRow(int lane) {
    return lane >> 2;
  }

  static int cCol(int lane, int e) {
    return 2 * (lane & 3) + e;
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

  /**
   * Which fragment element a lane loads (A, B) and which C elements its accumulators are
   * stored to: the kernel's side of the fragment contract. {@link #KERNEL} is the header's;
   * tests pass wrong ones to show that a layout that disagrees with the hardware's changes
   * the bits.
   */
  interface Lanes {
    int aRow(int lane);

    int aK(int lane);

    int bK(int lane);

    int bCol(int lane);

    int cRow(int lane);

    int cCol(int lane, int e);
  }

  /** The kernel's lane mapping (dmma_layout.cuh). */
  static final Lanes KERNEL = new Lanes() {
    @Override
    public int aRow(int lane) {
      return DmmaLayout.aRow(lane);
    }

    @Override
    public int aK(int lane) {
      return DmmaLayout.aK(lane);
    }

    @Override
    public int bK(int lane) {
      return DmmaLayout.bK(lane);
    }

    @Override
    public int bCol(int lane) {
      return DmmaLayout.bCol(lane);
    }

    @Override
    public int cRow(int lane) {
      return DmmaLayout.cRow(lane);
    }

    @Override
    public int cCol(int lane, int e) {
      return DmmaLayout.cCol(lane, e);
    }
  };

  /** matmul_dmma's tiling, for {@link DmmaModel}: two stages, k-tile t in buffer t & 1. */
  static final DmmaTiling TILING = new DmmaTiling() {
    @Override
    public String entry() {
      return "matmul_dmma";
    }

    @Override
    public org.gpuattest.kernels.cuda.CudaDriver.Dim3 grid(int n) {
      return KernelGeometry.dmmaGrid(n);
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
      return 2;
    }

    @Override
    public int stage(int t) {
      return t & 1;
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
      return DmmaLayout.tileRow(warp, mi);
    }

    @Override
    public int tileCol(int warp, int ni) {
      return DmmaLayout.tileCol(warp, ni);
    }

    @Override
    public int aChunkRow(int c) {
      return DmmaLayout.aChunkRow(c);
    }

    @Override
    public int aChunkK(int c) {
      return DmmaLayout.aChunkK(c);
    }

    @Override
    public int bChunkK(int c) {
      return DmmaLayout.bChunkK(c);
    }

    @Override
    public int bChunkCol(int c) {
      return DmmaLayout.bChunkCol(c);
    }
  };
}
