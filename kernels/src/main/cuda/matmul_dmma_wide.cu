// matmul_dmma_wide: C = A x B by the ascending-k FMA chain of canonical-v1 (docs/protocol.md,
// section 1.5, "Product") on the FP64 tensor cores, with a 128 x 128 block tile. Needs sm_80
// or newer (mma f64, cp.async) and n a multiple of 128: scripts/build-ptx.sh compiles this file
// alone for compute_80. Launch shape KernelGeometry.dmmaWideGrid(n) = (n/128, n/128) blocks of
// KernelGeometry.dmmaBlock() = 256 threads (1-D, 8 warps), with DMMA_WIDE_SHARED_BYTES =
// 112128 bytes of dynamic shared memory, which the host must allow first
// (cuFuncSetAttribute MAX_DYNAMIC_SHARED_SIZE_BYTES; KernelGeometry.DMMA_WIDE_SHARED_BYTES).
// For n not a multiple of 128 (the protocol only promises 64, section 1.1) the device runs
// matmul_dmma, whose 64 x 64 tile fits every n.
//
// Why this is the canonical chain: as matmul_dmma.cu. One mma.sync.aligned.m8n8k4.row.col.f64
// computes, for each element of its 8 x 8 tile, the chain c -> k0 -> k1 -> k2 -> k3 of fma
// (measured on an H100 by others; a fact about that GPU, not a PTX guarantee, so the device
// probes this kernel against the CPU before using it: ProductProbe). Each accumulator starts
// at +0.0 and is carried in registers through every mma; the mma go k = 0-3, 4-7, ... within
// a k-tile and the k-tiles in ascending order: exactly acc = fma(A[i][k], B[k][j], acc),
// k = 0..n-1. No split-k, no reordering. The pipeline below changes only when operands reach
// shared memory, never which mma feeds which accumulator or in which order.
//
// Why a second kernel (docs/benchmarks.md, "Product kernel versions"): on an H100 one SM does
// about one m8n8k4 (512 flop) per 1.85 clocks at the FP64 tensor peak, and a fragment load
// from shared memory (32 lanes x 8 bytes) takes 2 of its 128-byte clocks. matmul_dmma's
// 16 x 32 warp tile loads 6 fragments per 8 mma: shared memory ~80% busy on fragments alone.
// Here each warp owns 64 rows x 32 columns = 8 x 4 mma tiles: per k-step of 4 it loads 8 A and
// 4 B fragments for 32 mma, ~40% busy, and each staged element is used by 128 (not 64) columns
// or rows of C, halving the L2 traffic per flop. The cost is 64 accumulators (128 registers)
// per lane: one 256-thread block per SM, so the staging must hide L2 latency by itself.
//
// Block (bx, by) computes the 128 x 128 tile of C at rows 128 by.., columns 128 bx... The 8
// warps form 2 x 4; warp w owns rows 64 (w / 4).., columns 32 (w % 4).. (dmma_wide_layout.cuh).
//
// Staging: k-tiles of 16 are copied global -> shared with 16-byte cp.async (.cg) into a ring
// of 3 stages (DMMA_WIDE_STAGES), so k-tiles t + 1 and t + 2 are in flight while t is
// multiplied: about two k-tiles of mma time (~3800 clocks at the peak) to cover each copy's
// latency. One __syncthreads per k-tile serves both purposes: after it, every thread's copies
// of k-tile t have landed, and every warp has finished k-tile t - 1, whose stage the copy of
// k-tile t + 2 then reuses. Shared rows are padded (A stride 20, B stride 132) so fragment
// reads are free of bank conflicts. 3 stages x 37376 bytes = 112128 bytes: more than the
// 48 KiB a block gets without opting in, within the 163 KiB of sm_80 and 227 KiB of sm_90
// (GPUs with less, such as sm_86's 99 KiB, refuse the attribute and run matmul_dmma).
//
// SM monitor: as matmul_ffma (sm_monitor.cuh): thread 0 reads %globaltimer at the block's
// start and after its last __syncthreads, and adds one block and the elapsed nanoseconds to
// slot smid % 1024 of smBlocks and smBusyNanos.
#include "canonical_v1.cuh"
#include "dmma_layout.cuh"
#include "dmma_ops.cuh"
#include "dmma_wide_layout.cuh"
#include "sm_monitor.cuh"

// Issues thread tid's cp.async chunks of k-tile k0: A[row0.., k0..k0+16) into as,
// B[k0..k0+16, col0..) into bs (dmma_wide_layout.cuh). Rows of n doubles with n % 128 == 0
// and 256-byte aligned bases keep every 16-byte source aligned.
__device__ __forceinline__ void load_wide_k_tile(double* as, double* bs, const double* A,
                                                 const double* B, size_t row0, size_t col0,
                                                 size_t k0, size_t ld, int tid) {
#pragma unroll
  for (int l = 0; l < DMMA_WIDE_CHUNKS_PER_THREAD; l++) {
    const int c = tid + DMMA_WIDE_THREADS * l;
    cp_async_16(&as[dmma_wide_a_chunk_row(c) * DMMA_WIDE_A_STRIDE + dmma_wide_a_chunk_k(c)],
                &A[(row0 + dmma_wide_a_chunk_row(c)) * ld + k0 + dmma_wide_a_chunk_k(c)]);
    cp_async_16(&bs[dmma_wide_b_chunk_k(c) * DMMA_WIDE_B_STRIDE + dmma_wide_b_chunk_col(c)],
                &B[(k0 + dmma_wide_b_chunk_k(c)) * ld + col0 + dmma_wide_b_chunk_col(c)]);
  }
}

// The product with or without the SM monitor: one body, as matmul_dmma.
template <bool MONITORED>
__device__ __forceinline__ void dmma_wide_body(const double* A, const double* B, double* C,
                                               int n, unsigned long long* smBlocks,
                                               unsigned long long* smBusyNanos) {
  // DMMA_WIDE_SHARED_BYTES, given at launch: the 3 A stages, then the 3 B stages.
  extern __shared__ __align__(16) double wide_shared[];
  double* const As = wide_shared;                                        // A[row0 + r][k0 + k]
  double* const Bs = wide_shared + DMMA_WIDE_STAGES * DMMA_WIDE_A_STAGE;  // B[k0 + k][col0 + c]

  const int tid = threadIdx.x;
  const int warp = tid >> 5, lane = tid & 31;
  const bool monitor = MONITORED && tid == 0;
  unsigned long long start = 0;
  if (monitor) {
    start = global_timer();
  }
  const size_t row0 = (size_t)blockIdx.y * DMMA_WIDE_TILE;
  const size_t col0 = (size_t)blockIdx.x * DMMA_WIDE_TILE;
  const size_t ld = (size_t)n;

  double acc[DMMA_WIDE_M_TILES][DMMA_WIDE_N_TILES][2];
#pragma unroll
  for (int mi = 0; mi < DMMA_WIDE_M_TILES; mi++) {
#pragma unroll
    for (int ni = 0; ni < DMMA_WIDE_N_TILES; ni++) {
      acc[mi][ni][0] = +0.0;  // the chain starts at +0.0, never -0.0 (section 1.5)
      acc[mi][ni][1] = +0.0;
    }
  }

  const int tiles = n / DMMA_WIDE_KTILE;
  // Prologue: k-tiles 0 .. STAGES - 2, one commit group each (empty past the last k-tile, so
  // that group g always holds k-tile g).
#pragma unroll
  for (int s = 0; s < DMMA_WIDE_STAGES - 1; s++) {
    if (s < tiles) {
      load_wide_k_tile(As + dmma_wide_stage(s) * DMMA_WIDE_A_STAGE,
                       Bs + dmma_wide_stage(s) * DMMA_WIDE_B_STAGE, A, B, row0, col0,
                       (size_t)s * DMMA_WIDE_KTILE, ld, tid);
    }
    cp_async_commit();
  }
  for (int t = 0; t < tiles; t++) {
    // Groups 0 .. t + STAGES - 2 are committed; all but the newest STAGES - 2 complete means
    // this thread's copies of k-tile t have landed.
    cp_async_wait<DMMA_WIDE_STAGES - 2>();
    __syncthreads();  // everyone's k-tile t has landed; everyone is done with k-tile t - 1
    const int next = t + DMMA_WIDE_STAGES - 1;
    if (next < tiles) {  // into the stage of k-tile t - 1, free since the barrier
      load_wide_k_tile(As + dmma_wide_stage(next) * DMMA_WIDE_A_STAGE,
                       Bs + dmma_wide_stage(next) * DMMA_WIDE_B_STAGE, A, B, row0, col0,
                       (size_t)next * DMMA_WIDE_KTILE, ld, tid);
    }
    cp_async_commit();  // possibly empty: group t + STAGES - 1 holds k-tile t + STAGES - 1
    const double* as = As + dmma_wide_stage(t) * DMMA_WIDE_A_STAGE;
    const double* bs = Bs + dmma_wide_stage(t) * DMMA_WIDE_B_STAGE;
#pragma unroll
    for (int kk = 0; kk < DMMA_WIDE_KTILE; kk += DMMA_K) {  // ascending k, 4 at a time
      double a[DMMA_WIDE_M_TILES], b[DMMA_WIDE_N_TILES];
#pragma unroll
      for (int mi = 0; mi < DMMA_WIDE_M_TILES; mi++) {
        a[mi] = as[(dmma_wide_tile_row(warp, mi) + dmma_a_row(lane)) * DMMA_WIDE_A_STRIDE +
                   kk + dmma_a_k(lane)];
      }
#pragma unroll
      for (int ni = 0; ni < DMMA_WIDE_N_TILES; ni++) {
        b[ni] = bs[(kk + dmma_b_k(lane)) * DMMA_WIDE_B_STRIDE + dmma_wide_tile_col(warp, ni) +
                   dmma_b_col(lane)];
      }
#pragma unroll
      for (int mi = 0; mi < DMMA_WIDE_M_TILES; mi++) {
#pragma unroll
        for (int ni = 0; ni < DMMA_WIDE_N_TILES; ni++) {
          dmma_m8n8k4(acc[mi][ni][0], acc[mi][ni][1], a[mi], b[ni]);
        }
      }
    }
  }

  // Each lane's two elements of a tile are adjacent in a row: one 16-byte store.
#pragma unroll
  for (int mi = 0; mi < DMMA_WIDE_M_TILES; mi++) {
#pragma unroll
    for (int ni = 0; ni < DMMA_WIDE_N_TILES; ni++) {
      const size_t row = row0 + dmma_wide_tile_row(warp, mi) + dmma_c_row(lane);
      const size_t col = col0 + dmma_wide_tile_col(warp, ni) + dmma_c_col(lane, 0);
      *reinterpret_cast<double2*>(&C[row * ld + col]) =
          make_double2(acc[mi][ni][0], acc[mi][ni][1]);
    }
  }

  __syncthreads();  // every thread's stores issued: the block's work is done
  if (monitor) {
    monitor_record(smBlocks, smBusyNanos, start);
  }
}

// The canonical product on FP64 tensor cores (sm_80+), 128 x 128 tiles, with the SM monitor.
// __launch_bounds__(256, 1): one block per SM, so ptxas may give each thread up to 255
// registers (the 128 of the accumulators and the fragments) without spilling.
extern "C" __global__ void __launch_bounds__(DMMA_WIDE_THREADS, 1)
    matmul_dmma_wide(const double* A, const double* B, double* C, int n,
                     unsigned long long* smBlocks, unsigned long long* smBusyNanos) {
  dmma_wide_body<true>(A, B, C, n, smBlocks, smBusyNanos);
}

// The same product without the monitor, for 'attestor bench' only (monitoring overhead).
extern "C" __global__ void __launch_bounds__(DMMA_WIDE_THREADS, 1)
    matmul_dmma_wide_unmonitored(const double* A, const double* B, double* C, int n) {
  dmma_wide_body<false>(A, B, C, n, nullptr, nullptr);
}
