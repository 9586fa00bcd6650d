// Index helpers of matmul_dmma_wide (matmul_dmma_wide.cu): which warp owns which 8 x 8 mma
// tiles of the block's 128 x 128 tile of C, how the shared-memory stages are laid out, and
// where each thread's 16-byte cp.async chunks of the A and B k-tiles go. Pure functions of
// their arguments, so the Java model (kernels/src/test/.../DmmaWideLayout.java) mirrors them
// one to one. Which fragment element each lane holds is the mma's, not the tiling's: those
// helpers (dmma_a_row, ...) are dmma_layout.cuh's, shared with matmul_dmma.
#ifndef GPUATTEST_DMMA_WIDE_LAYOUT_CUH
#define GPUATTEST_DMMA_WIDE_LAYOUT_CUH

#define DMMA_WIDE_TILE 128     // KernelGeometry.DMMA_WIDE_TILE: C tile per block
#define DMMA_WIDE_THREADS 256  // KernelGeometry.DMMA_THREADS: 8 warps, a 1-D block
#define DMMA_WIDE_KTILE 16     // k-steps per shared-memory k-tile (4 mma k-steps of 4)
#define DMMA_WIDE_STAGES 3     // k-tiles in shared memory at once: t, t + 1 and t + 2
#define DMMA_WIDE_WARPS_N 4    // warps side by side over columns; 2 x 4 warps in all
#define DMMA_WIDE_M_TILES 8    // each warp: 8 x 4 mma tiles of 8 x 8 = 64 rows x 32 columns
#define DMMA_WIDE_N_TILES 4
// Row strides (in doubles) of the shared k-tiles, padded as in dmma_layout.cuh so the
// fragment reads of a half-warp (16 lanes, 128 bytes) hit 32 distinct banks:
//   A As[row][k], stride 20: rows r..r+3 start at banks 8 r % 32 (as matmul_dmma's A).
//   B Bs[k][col], stride 132: row k starts at bank (132 k * 2) % 32 = 8 k, so k = 0..3 with 4
//     consecutive columns (8 banks each) take banks 0-7, 8-15, 16-23, 24-31.
// Both are multiples of 2 doubles: every 16-byte cp.async destination stays aligned.
#define DMMA_WIDE_A_STRIDE 20
#define DMMA_WIDE_B_STRIDE 132
// Doubles of one stage of A (128 rows) and of B (16 k-rows), and the dynamic shared memory
// of the block: 3 x (128 x 20 + 16 x 132) x 8 = 112128 bytes
// (KernelGeometry.DMMA_WIDE_SHARED_BYTES). The A stages come first, then the B stages.
#define DMMA_WIDE_A_STAGE (DMMA_WIDE_TILE * DMMA_WIDE_A_STRIDE)
#define DMMA_WIDE_B_STAGE (DMMA_WIDE_KTILE * DMMA_WIDE_B_STRIDE)
#define DMMA_WIDE_SHARED_BYTES \
  (DMMA_WIDE_STAGES * (DMMA_WIDE_A_STAGE + DMMA_WIDE_B_STAGE) * 8)

// ---- which warp owns which tile -----------------------------------------------------------

// First row (in the block's tile) of warp w's mma tile mi: warps 0-3 take rows 0-63, warps
// 4-7 rows 64-127; a warp's eight m-tiles are 8 rows apart.
__host__ __device__ inline int dmma_wide_tile_row(int warp, int mi) {
  return (warp / DMMA_WIDE_WARPS_N) * (8 * DMMA_WIDE_M_TILES) + 8 * mi;
}

// First column of warp w's mma tile ni: warp w % 4 takes columns 32 (w % 4) .. + 31.
__host__ __device__ inline int dmma_wide_tile_col(int warp, int ni) {
  return (warp % DMMA_WIDE_WARPS_N) * (8 * DMMA_WIDE_N_TILES) + 8 * ni;
}

// ---- the shared-memory ring ---------------------------------------------------------------

// The stage that holds k-tile t: k-tiles go round the three stages in order.
__host__ __device__ inline int dmma_wide_stage(int t) { return t % DMMA_WIDE_STAGES; }

// ---- the cooperative cp.async loads of one k-tile -----------------------------------------
// A k-tile (128 rows x 16 k) and a B k-tile (16 k x 128 columns) are 1024 chunks of 2 doubles
// (16 bytes) each; thread tid copies chunks tid + 256 l, l = 0..3, of each. Consecutive threads
// take consecutive chunks of a row: a warp reads four 128-byte runs of A and one 512-byte run
// of B.

#define DMMA_WIDE_CHUNKS_PER_THREAD 4

// Chunk c of the A k-tile: row c / 8, k 2 (c % 8) and the next.
__host__ __device__ inline int dmma_wide_a_chunk_row(int c) { return c / (DMMA_WIDE_KTILE / 2); }
__host__ __device__ inline int dmma_wide_a_chunk_k(int c) {
  return 2 * (c % (DMMA_WIDE_KTILE / 2));
}
// Chunk c of the B k-tile: k c / 64, column 2 (c % 64) and the next.
__host__ __device__ inline int dmma_wide_b_chunk_k(int c) { return c / (DMMA_WIDE_TILE / 2); }
__host__ __device__ inline int dmma_wide_b_chunk_col(int c) {
  return 2 * (c % (DMMA_WIDE_TILE / 2));
}

#endif  // GPUATTEST_DMMA_WIDE_LAYOUT_CUH
