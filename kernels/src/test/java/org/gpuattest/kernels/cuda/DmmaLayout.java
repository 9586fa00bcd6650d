package org.gpuattest.kernels.cuda;

/**
 * The constants and index helpers of kernels/src/main/cuda/dmma_layout.cuh, one to one: which
 * fragment element each lane holds here, and which warp owns which 8 x 8 mma tile and where
 * each thread's 16-byte cp.async chunks go in {@link #TILING}. {@link DmmaLayoutTest} compiles
 * the header on the host and checks every value against these.
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
  static final DmmaTiling TILING = new DmmaTiling("matmul_dmma", KernelGeometry::dmmaGrid, TILE,
      THREADS, KTILE, 2, WARPS_N, M_TILES, N_TILES, A_STRIDE, B_STRIDE, CHUNKS_PER_THREAD);
}
