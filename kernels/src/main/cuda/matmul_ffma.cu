// matmul_ffma: C = A x B by the ascending-k FMA chain of canonical-v1 (docs/protocol.md,
// section 1.5, "Product"). Launch shape KernelGeometry.matmulGrid(n) = (n/64, n/64) blocks of
// (16, 16) threads; n is a multiple of 64 (section 1.1), so there are no partial tiles.
//
// Block (bx, by) computes the 64 x 64 tile of C at rows 64 by.., columns 64 bx... Thread
// (tx, ty) holds a 4 x 4 register micro-tile: rows ty + 16 r, columns tx + 16 c (r, c < 4).
// k runs over shared-memory tiles of 16 in ascending order, and within a tile ascending, and
// each accumulator starts at +0.0 and is carried from tile to tile: exactly the chain
// acc = fma(A[i][k], B[k][j], acc), k = 0..n-1, that section 1.5 allows ("k-blocking, if the
// k-blocks go in ascending order and one accumulator is carried"). The products are explicit
// __fma_rn calls, so neither -fmad nor any optimisation can split, contract or reorder them.
//
// SM monitor: thread (0, 0) reads %globaltimer at the block's start and after its last
// __syncthreads, and adds one block and the elapsed nanoseconds to the slot smid % 1024 of
// smBlocks and smBusyNanos (KernelGeometry.MONITOR_SLOTS).
#include "canonical_v1.cuh"
#include "sm_monitor.cuh"

// The product with or without the SM monitor: one body, so the two differ only in the
// monitor's few instructions and 'attestor bench' can measure what monitoring costs.
template <bool MONITORED>
__device__ __forceinline__ void matmul_body(const double* A, const double* B, double* C, int n,
                                            unsigned long long* smBlocks,
                                            unsigned long long* smBusyNanos) {
  __shared__ double As[MATMUL_TILE][MATMUL_KTILE];  // A[row0 + row][k0 + kk]
  __shared__ double Bs[MATMUL_KTILE][MATMUL_TILE];  // B[k0 + kk][col0 + col]

  const int tx = threadIdx.x, ty = threadIdx.y;
  const int tid = ty * MATMUL_SIDE + tx;
  const bool monitor = MONITORED && tid == 0;
  unsigned long long start = 0;
  if (monitor) {
    start = global_timer();
  }
  const size_t row0 = (size_t)blockIdx.y * MATMUL_TILE;
  const size_t col0 = (size_t)blockIdx.x * MATMUL_TILE;
  const size_t ld = (size_t)n;

  double acc[MATMUL_MICRO][MATMUL_MICRO];
#pragma unroll
  for (int r = 0; r < MATMUL_MICRO; r++) {
#pragma unroll
    for (int c = 0; c < MATMUL_MICRO; c++) {
      acc[r][c] = +0.0;  // the chain starts at +0.0, never -0.0 (section 1.5)
    }
  }

  for (int k0 = 0; k0 < n; k0 += MATMUL_KTILE) {
    // Cooperative loads: element l of thread tid is tile index tid + 256 l. For A that is row
    // tid/16 + 16 l, column tid%16 (16 threads read one 128-byte row segment); for B row
    // tid/64 + 4 l, column tid%64 (64 threads read one 512-byte row segment).
#pragma unroll
    for (int l = 0; l < 4; l++) {
      int ia = tid + 256 * l;
      As[ia / MATMUL_KTILE][ia % MATMUL_KTILE] =
          A[(row0 + ia / MATMUL_KTILE) * ld + k0 + ia % MATMUL_KTILE];
      int ib = tid + 256 * l;
      Bs[ib / MATMUL_TILE][ib % MATMUL_TILE] =
          B[(size_t)(k0 + ib / MATMUL_TILE) * ld + col0 + ib % MATMUL_TILE];
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < MATMUL_KTILE; kk++) {
      double a[MATMUL_MICRO], b[MATMUL_MICRO];
#pragma unroll
      for (int r = 0; r < MATMUL_MICRO; r++) {
        a[r] = As[matmul_tile_row(ty, r)][kk];
      }
#pragma unroll
      for (int c = 0; c < MATMUL_MICRO; c++) {
        b[c] = Bs[kk][matmul_tile_col(tx, c)];
      }
#pragma unroll
      for (int r = 0; r < MATMUL_MICRO; r++) {
#pragma unroll
        for (int c = 0; c < MATMUL_MICRO; c++) {
          acc[r][c] = __fma_rn(a[r], b[c], acc[r][c]);  // one DFMA, k ascending
        }
      }
    }
    __syncthreads();  // the next tile's loads overwrite As and Bs
  }

#pragma unroll
  for (int r = 0; r < MATMUL_MICRO; r++) {
#pragma unroll
    for (int c = 0; c < MATMUL_MICRO; c++) {
      C[(row0 + matmul_tile_row(ty, r)) * ld + col0 + matmul_tile_col(tx, c)] = acc[r][c];
    }
  }

  __syncthreads();  // every thread's stores issued: the block's work is done
  if (monitor) {
    monitor_record(smBlocks, smBusyNanos, start);
  }
}

// The canonical kernel every iteration runs (section 1.5), with the SM monitor.
extern "C" __global__ void __launch_bounds__(MATMUL_SIDE * MATMUL_SIDE)
    matmul_ffma(const double* A, const double* B, double* C, int n,
                unsigned long long* smBlocks, unsigned long long* smBusyNanos) {
  matmul_body<true>(A, B, C, n, smBlocks, smBusyNanos);
}

// The same product without the monitor, for 'attestor bench' only (monitoring overhead).
extern "C" __global__ void __launch_bounds__(MATMUL_SIDE * MATMUL_SIDE)
    matmul_ffma_unmonitored(const double* A, const double* B, double* C, int n) {
  matmul_body<false>(A, B, C, n, nullptr, nullptr);
}
