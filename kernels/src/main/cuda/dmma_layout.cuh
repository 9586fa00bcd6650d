// Index helpers of matmul_dmma (matmul_dmma.cu): which warp owns which 8 x 8 mma tiles of the
// block's 64 x 64 tile of C, which element of an mma fragment each lane holds, and where each
// thread's 16-byte cp.async chunks of the A and B k-tiles go. Pure functions of their
// arguments, so the Java model (kernels/src/test/.../DmmaLayout.java) mirrors them one to one.
//
// Fragment layout of mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 (PTX ISA, "Matrix
// fragments for mma.m8n8k4 with .f64 floating point type"), lane = 0..31:
//   A (8 x 4, row)  lane holds A[lane >> 2][lane & 3]
//   B (4 x 8, col)  lane holds B[lane & 3][lane >> 2]
//   C, D (8 x 8)    lane holds C[lane >> 2][2 (lane & 3)] and C[lane >> 2][2 (lane & 3) + 1]
// One such mma was measured on an H100 (by others, before this kernel was written) to equal,
// bit for bit, the fma chain c -> k0 -> k1 -> k2 -> k3 of docs/protocol.md section 1.5 for
// every element of D; that is the only reason this kernel may use it. The larger Hopper f64
// shapes (m16n8k4, m16n8k8, m16n8k16) are not used: their addition order is unproven.
#ifndef GPUATTEST_DMMA_LAYOUT_CUH
#define GPUATTEST_DMMA_LAYOUT_CUH

#define DMMA_TILE 64      // KernelGeometry.MATMUL_TILE: C tile per block
#define DMMA_THREADS 256  // KernelGeometry.DMMA_THREADS: 8 warps, a 1-D block
#define DMMA_KTILE 16     // k-steps per shared-memory k-tile (4 mma k-steps of 4)
#define DMMA_K 4          // k-steps per mma (m8n8k4)
#define DMMA_WARPS_N 2    // warps side by side over columns; 4 x 2 warps in all
#define DMMA_M_TILES 2    // each warp: 2 x 4 mma tiles of 8 x 8 = 16 rows x 32 columns of C
#define DMMA_N_TILES 4
// Row strides (in doubles) of the shared k-tiles, padded so the fragment reads of a half-warp
// (16 lanes, 16 doubles = 128 bytes, one shared-memory wavefront) hit 32 distinct banks:
//   A tile As[row][k], stride 20: a half-warp reads rows r..r+3, k 0..3; row r starts at bank
//     (20 r * 2) % 32 = 8 r % 32, so the four rows take banks 0-7, 8-15, 16-23, 24-31.
//   B tile Bs[k][col], stride 68: a half-warp reads k 0..3, 4 consecutive columns; row k
//     starts at bank (68 k * 2) % 32 = 8 k, the same spread.
// Both strides are multiples of 2 doubles, so every 16-byte cp.async destination is aligned.
#define DMMA_A_STRIDE 20
#define DMMA_B_STRIDE 68

// ---- which warp owns which tile -----------------------------------------------------------

// First row (in the block's tile) of warp w's mma tile mi: warps 0,1 take rows 0-15, 2,3
// rows 16-31, ...; each warp's two m-tiles are 8 rows apart.
__host__ __device__ inline int dmma_tile_row(int warp, int mi) {
  return (warp / DMMA_WARPS_N) * (8 * DMMA_M_TILES) + 8 * mi;
}

// First column of warp w's mma tile ni: even warps take columns 0-31, odd ones 32-63.
__host__ __device__ inline int dmma_tile_col(int warp, int ni) {
  return (warp % DMMA_WARPS_N) * (8 * DMMA_N_TILES) + 8 * ni;
}

// ---- which fragment element each lane holds (m8n8k4 .f64, see above) ----------------------

__host__ __device__ inline int dmma_a_row(int lane) { return lane >> 2; }
__host__ __device__ inline int dmma_a_k(int lane) { return lane & 3; }
__host__ __device__ inline int dmma_b_k(int lane) { return lane & 3; }
__host__ __device__ inline int dmma_b_col(int lane) { return lane >> 2; }
__host__ __device__ inline int dmma_c_row(int lane) { return lane >> 2; }
// e = 0, 1: the lane's two accumulators (d0, d1) sit side by side in one row.
__host__ __device__ inline int dmma_c_col(int lane, int e) { return 2 * (lane & 3) + e; }

// ---- the cooperative cp.async loads of one k-tile -----------------------------------------
// A k-tile (64 rows x 16 k) and a B k-tile (16 k x 64 columns) are 512 chunks of 2 doubles
// (16 bytes) each; thread tid copies chunks tid and tid + 256 of each. Consecutive threads
// take consecutive chunks of a row, so a warp's global reads are 128-byte (A: 8 threads per
// row segment) and 512-byte (B: the whole warp on one row segment) coalesced runs.

#define DMMA_CHUNKS_PER_THREAD 2

// Chunk c of the A k-tile: row c / 8, k 2 (c % 8) and the next.
__host__ __device__ inline int dmma_a_chunk_row(int c) { return c / (DMMA_KTILE / 2); }
__host__ __device__ inline int dmma_a_chunk_k(int c) { return 2 * (c % (DMMA_KTILE / 2)); }
// Chunk c of the B k-tile: k c / 32, column 2 (c % 32) and the next.
__host__ __device__ inline int dmma_b_chunk_k(int c) { return c / (DMMA_TILE / 2); }
__host__ __device__ inline int dmma_b_chunk_col(int c) { return 2 * (c % (DMMA_TILE / 2)); }

#endif  // GPUATTEST_DMMA_LAYOUT_CUH
