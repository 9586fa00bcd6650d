// Shared helpers of the canonical-v1 kernels (docs/protocol.md, sections 1.2 to 1.5): the
// Philox4x32-10 block, the operand element and the matmul tile layout. Everything here is a
// pure function of its arguments, so the kernels' Java models
// (kernels/src/test/java/org/gpuattest/kernels/cuda/KernelModels.java) mirror it line for line.
#ifndef GPUATTEST_CANONICAL_V1_CUH
#define GPUATTEST_CANONICAL_V1_CUH

#include <stdint.h>

// ---- canonical-v1, "Philox4x32-10" (section 1.2) ----------------------------------------

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

// One Philox4x32-10 block: ten rounds, the key bumped by (W0, W1) after each (section 1.2).
__host__ __device__ inline uint4 philox4x32_10(uint4 c, uint32_t k0, uint32_t k1) {
#pragma unroll
  for (int round = 0; round < 10; round++) {
    uint64_t p0 = (uint64_t)PHILOX_M0 * c.x;
    uint64_t p1 = (uint64_t)PHILOX_M1 * c.z;
    uint4 next;
    next.x = (uint32_t)(p1 >> 32) ^ c.y ^ k0;
    next.y = (uint32_t)p1;
    next.z = (uint32_t)(p0 >> 32) ^ c.w ^ k1;
    next.w = (uint32_t)p0;
    c = next;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  return c;
}

// canonical-v1, "Operand elements" (section 1.4): v = (u >> 11) * 2^-52 - 1.0. Every step is
// exact (u >> 11 < 2^53), so neither rounding mode nor contraction could change the bits;
// the explicit __dmul_rn/__dadd_rn only make that independent of -fmad.
__device__ inline double canonical_element(uint64_t u) {
  return __dadd_rn(__dmul_rn(__ull2double_rn(u >> 11), 0x1.0p-52), -1.0);
}

// ---- canonical-v1, "Product" (section 1.5): the matmul tile layout ----------------------

#define MATMUL_TILE 64    // KernelGeometry.MATMUL_TILE: C tile per block
#define MATMUL_SIDE 16    // KernelGeometry.MATMUL_THREADS_PER_SIDE
#define MATMUL_KTILE 16   // k-steps per shared-memory tile
#define MATMUL_MICRO 4    // each thread: a 4 x 4 register micro-tile
#define MONITOR_SLOTS 1024  // KernelGeometry.MONITOR_SLOTS

// Row (within the block's tile) of a thread's micro-tile row r: ty + 16 r. Strided rows and
// columns keep a warp's B reads on 16 consecutive doubles and its A reads on two broadcasts.
__host__ __device__ inline int matmul_tile_row(int ty, int r) { return ty + MATMUL_SIDE * r; }
__host__ __device__ inline int matmul_tile_col(int tx, int c) { return tx + MATMUL_SIDE * c; }

#endif  // GPUATTEST_CANONICAL_V1_CUH
