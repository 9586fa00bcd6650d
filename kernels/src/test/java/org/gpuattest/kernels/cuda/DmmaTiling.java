package org.gpuattest.kernels.cuda;

import java.util.function.IntFunction;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * The block tiling of a tensor-core product kernel, as its layout header defines it: the
 * tile sizes, the shared-memory ring, which warp owns which 8 x 8 mma tile, and which thread
 * copies which 16-byte chunk. Both headers (dmma_layout.cuh, dmma_wide_layout.cuh) compute
 * these with the same formulas over their own constants, so one copy of the formulas serves
 * both: {@link DmmaLayout#TILING} is matmul_dmma's, {@link DmmaWideLayout#TILING}
 * matmul_dmma_wide's, and {@link DmmaLayoutTest} checks every value against the compiled
 * headers. Which fragment element each lane holds is the mma's, not the tiling's
 * ({@link DmmaLayout.Lanes}).
 *
 * @param entry the monitored entry; the unmonitored one is this + "_unmonitored"
 * @param gridOf the launch grid at size n (KernelGeometry's)
 * @param stages shared-memory stages (k-tiles resident at once)
 * @param warpsN warps side by side over columns
 * @param mTiles, nTiles each warp's mma tiles down and across
 * @param aStride, bStride the padded shared rows, in doubles
 */
record DmmaTiling(String entry, IntFunction<Dim3> gridOf, int tile, int threads, int ktile,
    int stages, int warpsN, int mTiles, int nTiles, int aStride, int bStride,
    int chunksPerThread) {
  /** The launch grid at size n. */
  Dim3 grid(int n) {
    return gridOf.apply(n);
  }

  int warps() {
    return threads / 32;
  }

  /** The stage that holds k-tile t. */
  int stage(int t) {
    return t % stages;
  }

  int tileRow(int warp, int mi) {
    return (warp / warpsN) * (8 * mTiles) + 8 * mi;
  }

  int tileCol(int warp, int ni) {
    return (warp % warpsN) * (8 * nTiles) + 8 * ni;
  }

  int aChunkRow(int c) {
    return c / (ktile / 2);
  }

  int aChunkK(int c) {
    return 2 * (c % (ktile / 2));
  }

  int bChunkK(int c) {
    return c / (tile / 2);
  }

  int bChunkCol(int c) {
    return 2 * (c % (tile / 2));
  }
}
