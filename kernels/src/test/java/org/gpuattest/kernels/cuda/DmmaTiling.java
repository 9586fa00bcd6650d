package org.gpuattest.kernels.cuda;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * The block tiling of a tensor-core product kernel, as its layout header defines it: the
 * tile sizes, the shared-memory ring, which warp owns which 8 x 8 mma tile, and which thread
 * copies which 16-byte chunk. {@link DmmaLayout#TILING} is matmul_dmma's (dmma_layout.cuh),
 * {@link DmmaWideLayout#TILING} matmul_dmma_wide's (dmma_wide_layout.cuh); {@link DmmaModel}
 * runs either. Which fragment element each lane holds is the mma's, not the tiling's
 * ({@link DmmaLayout.Lanes}).
 */
interface DmmaTiling {
  /** The monitored entry; the unmonitored one is this + "_unmonitored". */
  String entry();

  /** The launch grid at size n (KernelGeometry's). */
  Dim3 grid(int n);

  int tile();

  int threads();

  int ktile();

  /** Shared-memory stages (k-tiles resident at once). */
  int stages();

  /** The stage that holds k-tile t. */
  int stage(int t);

  int mTiles();

  int nTiles();

  int aStride();

  int bStride();

  int chunksPerThread();

  int tileRow(int warp, int mi);

  int tileCol(int warp, int ni);

  int aChunkRow(int c);

  int aChunkK(int c);

  int bChunkK(int c);

  int bChunkCol(int c);

  default int warps() {
    return threads() / 32;
  }
}
