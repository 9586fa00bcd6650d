// matmul_dmma: C = A x B by the ascending-k FMA chain of canonical-v1 (docs/protocol.md,
// section 1.5, "Product") on the FP64 tensor cores. Needs sm_80 or newer (mma f64, cp.async):
// scripts/build-ptx.sh compiles this file alone for compute_80. Launch shape
// KernelGeometry.dmmaGrid(n) = (n/64, n/64) blocks of KernelGeometry.dmmaBlock() = 256
// threads (1-D, 8 warps); n is a multiple of 64 (section 1.1), so there are no partial tiles.
//
// Why this is the canonical chain: one mma.sync.aligned.m8n8k4.row.col.f64 computes, for each
// element (i, j) of its 8 x 8 tile, d = the chain c -> k0 -> k1 -> k2 -> k3 of fma (that was
// measured bit for bit on an H100 by others before this kernel was written: a measured fact
// about that GPU, not an IEEE or PTX guarantee, so section 1.5 requires a self-test elsewhere
// before trusting another architecture; this kernel itself has not yet run on any GPU).
// Each accumulator starts at +0.0 and is carried in registers through every mma; the mma
// ops go k = 0-3, 4-7, ... in ascending order within a k-tile, and the k-tiles in ascending
// order: exactly acc = fma(A[i][k], B[k][j], acc), k = 0..n-1. No split-k, no reordering.
//
// Block (bx, by) computes the 64 x 64 tile of C at rows 64 by.., columns 64 bx... The 8 warps
// form 4 x 2; each owns 16 rows x 32 columns = 2 x 4 mma tiles of 8 x 8 (dmma_layout.cuh), so
// per k-step of 4 a warp loads 2 A and 4 B fragments (one double per lane each) for 8 mma:
// 6 shared loads per 8 mma, and 16 accumulators (32 registers) per lane.
//
// k-tiles of 16 are staged from global into shared memory with 16-byte cp.async (.cg: L2
// only; dmma_ops.cuh), double-buffered: k-tile t + 1 is in flight while k-tile t is
// multiplied. The shared rows are padded (DMMA_A_STRIDE, DMMA_B_STRIDE) so fragment reads are
// free of bank conflicts.
//
// SM monitor: as matmul_ffma (sm_monitor.cuh): thread 0 reads %globaltimer at the block's
// start and after its last __syncthreads, and adds one block and the elapsed nanoseconds to
// slot smid % 1024 of smBlocks and smBusyNanos.
#include "canonical_v1.cuh"
#include "dmma_layout.cuh"
#include "dmma_ops.cuh"
#include "sm_monitor.cuh"

// Issues thread tid's cp.async chunks of k-tile k0: A[row0.., k0..k0+16) into as,
// B[k0..k0+16, col0..) into bs (dmma_layout.cuh). Rows of n doubles with n % 64 == 0 and
// 256-byte aligned bases keep every 16-byte source aligned.
__device__ __forceinline__ void load_k_tile(double* as, double* bs, const double* A,
                                            const double* B, size_t row0, size_t col0,
                                            size_t k0, size_t ld, int tid) {
#pragma unroll
  for (int l = 0; l < DMMA_CHUNKS_PER_THREAD; l++) {
    const int c = tid + DMMA_THREADS * l;
    cp_async_16(&as[dmma_a_chunk_row(c) * DMMA_A_STRIDE + dmma_a_chunk_k(c)],
                &A[(row0 + dmma_a_chunk_row(c)) * ld + k0 + dmma_a_chunk_k(c)]);
    cp_async_16(&bs[dmma_b_chunk_k(c) * DMMA_B_STRIDE + dmma_b_chunk_col(c)],
                &B[(k0 + dmma_b_chunk_k(c)) * ld + col0 + dmma_b_chunk_col(c)]);
  }
}

// The product with or without the SM monitor: one body, as matmul_ffma, so 'attestor bench'
// can measure what monitoring costs.
template <bool MONITORED>
__device__ __forceinline__ void dmma_body(const double* A, const double* B, double* C, int n,
                                          unsigned long long* smBlocks,
                                          unsigned long long* smBusyNanos) {
  __shared__ __align__(16) double As[2][DMMA_TILE * DMMA_A_STRIDE];   // A[row0 + r][k0 + k]
  __shared__ __align__(16) double Bs[2][DMMA_KTILE * DMMA_B_STRIDE];  // B[k0 + k][col0 + c]

  const int tid = threadIdx.x;
  const int warp = tid >> 5, lane = tid & 31;
  const bool monitor = MONITORED && tid == 0;
  unsigned long long start = 0;
  if (monitor) {
    start = global_timer();
  }
  const size_t row0 = (size_t)blockIdx.y * DMMA_TILE;
  const size_t col0 = (size_t)blockIdx.x * DMMA_TILE;
  const size_t ld = (size_t)n;

  double acc[DMMA_M_TILES][DMMA_N_TILES][2];
#pragma unroll
  for (int mi = 0; mi < DMMA_M_TILES; mi++) {
#pragma unroll
    for (int ni = 0; ni < DMMA_N_TILES; ni++) {
      acc[mi][ni][0] = +0.0;  // the chain starts at +0.0, never -0.0 (section 1.5)
      acc[mi][ni][1] = +0.0;
    }
  }

  const int tiles = n / DMMA_KTILE;
  load_k_tile(As[0], Bs[0], A, B, row0, col0, 0, ld, tid);
  cp_async_commit();
  for (int t = 0; t < tiles; t++) {
    const int buf = t & 1;
    // Buffer buf ^ 1 was last read in iteration t - 1, which ended with __syncthreads.
    if (t + 1 < tiles) {
      load_k_tile(As[buf ^ 1], Bs[buf ^ 1], A, B, row0, col0, (size_t)(t + 1) * DMMA_KTILE,
                  ld, tid);
    }
    cp_async_commit();  // possibly empty: keeps "all groups but the newest" = k-tile t
    cp_async_wait<1>();  // all groups but the newest (k-tile t + 1) have landed
    __syncthreads();  // every thread's copies of k-tile t have landed
    const double* as = As[buf];
    const double* bs = Bs[buf];
#pragma unroll
    for (int kk = 0; kk < DMMA_KTILE; kk += DMMA_K) {  // ascending k, 4 at a time
      double a[DMMA_M_TILES], b[DMMA_N_TILES];
#pragma unroll
      for (int mi = 0; mi < DMMA_M_TILES; mi++) {
        a[mi] = as[(dmma_tile_row(warp, mi) + dmma_a_row(lane)) * DMMA_A_STRIDE + kk +
                   dmma_a_k(lane)];
      }
#pragma unroll
      for (int ni = 0; ni < DMMA_N_TILES; ni++) {
        b[ni] = bs[(kk + dmma_b_k(lane)) * DMMA_B_STRIDE + dmma_tile_col(warp, ni) +
                   dmma_b_col(lane)];
      }
#pragma unroll
      for (int mi = 0; mi < DMMA_M_TILES; mi++) {
#pragma unroll
        for (int ni = 0; ni < DMMA_N_TILES; ni++) {
          dmma_m8n8k4(acc[mi][ni][0], acc[mi][ni][1], a[mi], b[ni]);
        }
      }
    }
    __syncthreads();  // iteration t + 1 copies k-tile t + 2 into this buffer
  }

  // Each lane's two elements of a tile are adjacent in a row: one 16-byte store.
#pragma unroll
  for (int mi = 0; mi < DMMA_M_TILES; mi++) {
#pragma unroll
    for (int ni = 0; ni < DMMA_N_TILES; ni++) {
      const size_t row = row0 + dmma_tile_row(warp, mi) + dmma_c_row(lane);
      const size_t col = col0 + dmma_tile_col(warp, ni) + dmma_c_col(lane, 0);
      *reinterpret_cast<double2*>(&C[row * ld + col]) =
          make_double2(acc[mi][ni][0], acc[mi][ni][1]);
    }
  }

  __syncthreads();  // every thread's stores issued: the block's work is done
  if (monitor) {
    monitor_record(smBlocks, smBusyNanos, start);
  }
}

// The canonical product on FP64 tensor cores (sm_80+), with the SM monitor.
extern "C" __global__ void __launch_bounds__(DMMA_THREADS)
    matmul_dmma(const double* A, const double* B, double* C, int n,
                unsigned long long* smBlocks, unsigned long long* smBusyNanos) {
  dmma_body<true>(A, B, C, n, smBlocks, smBusyNanos);
}

// The same product without the monitor, for 'attestor bench' only (monitoring overhead).
extern "C" __global__ void __launch_bounds__(DMMA_THREADS)
    matmul_dmma_unmonitored(const double* A, const double* B, double* C, int n) {
  dmma_body<false>(A, B, C, n, nullptr, nullptr);
}
