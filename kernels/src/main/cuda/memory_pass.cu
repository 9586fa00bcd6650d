// One pass of the memory phase of canonical-v1 (docs/protocol.md, section 2.2): the kept
// products C(g, t), K of them, n x n each, lie back to back from `kept`; v = v_p (philox_fill
// with counter word 3 = 2 under the pass's key, made by the host's launch before this one).
//
//   memory_pass           y[k n + i] = the ascending FMA chain from +0.0 of row i of product k
//                         with v (KernelGeometry.memoryPassGrid(n, K) x memoryPassBlock())
//   memory_leaves         leaves[e] = SHA-256(0x00 || LE64(y[e])) for e < count
//                         (KernelGeometry.memoryLeavesGrid(count) x memoryLeavesBlock())
//   memory_vector_roots   roots[k] = s_p(g, t) = MTH over product k's n element leaves, and
//                         rootLeaves[k] = SHA-256(0x00 || roots[k]), the memory tree's leaf
//                         (one block of KernelGeometry.TREE_THREADS per product)
//
// The memory root m_p(g) is then merkle_root (sha256_merkle.cu) over rootLeaves.
//
// Built by scripts/build-ptx.sh: nvcc 13.0 -arch=compute_75 --ptx --fmad=false. CPU reference:
// org.gpuattest.common.spec.MemoryPass (multiply, leaves, vectorRoot, memoryRoot); the PTX is
// checked against it bit for bit on the PTX interpreter (kernels/src/test/.../emu/
// MemoryPassPtxTest).
#include "merkle_tree.cuh"
#include "sha256.cuh"

#define MEMORY_ROWS 64    // KernelGeometry.MEMORY_ROWS: rows of a product per block, one a thread
#define MEMORY_JTILE 32   // columns of C staged in shared memory per step
#define MEMORY_STRIDE 33  // a staged row's stride in doubles: odd, so no two rows share banks
#define MEMORY_PAIRS (MEMORY_ROWS * MEMORY_JTILE / 2 / MEMORY_ROWS)  // 16-byte loads a thread

// Block (k, r) computes rows 64 r .. 64 r + 63 of y_p(t) for kept product k. The pass is
// bandwidth-bound: each element of C is read once, from global memory, as a 16-byte load of a
// row segment, so a warp reads two rows' 256 contiguous bytes at a time, through the read-only
// path (ld.global.nc: the kernel never writes the products); the next 64 x 32 tile is loaded into
// registers while the current one is consumed from shared memory. Thread i keeps the one
// accumulator of row i from +0.0 and applies __fma_rn over j in ascending order, tile after
// tile: each element is exactly the chain of section 2.2, whatever the tiling (no split j, no
// reordering, no contraction: --fmad=false, and the fma is explicit).
extern "C" __global__ void __launch_bounds__(MEMORY_ROWS)
    memory_pass(const double* kept, const double* v, double* y, int n) {
  __shared__ double tile[MEMORY_ROWS * MEMORY_STRIDE];
  __shared__ double vtile[MEMORY_JTILE];
  const int t = threadIdx.x;
  const size_t product = (size_t)blockIdx.x;
  const int row0 = blockIdx.y * MEMORY_ROWS;
  const double* c = kept + product * n * n + (size_t)row0 * n;
  double2 next[MEMORY_PAIRS];
#pragma unroll
  for (int s = 0; s < MEMORY_PAIRS; s++) {  // tile 0: pair q = t + 64 s, row q / 16, col q % 16
    int q = t + MEMORY_ROWS * s;
    next[s] = __ldg(reinterpret_cast<const double2*>(c + (size_t)(q >> 4) * n) + (q & 15));
  }
  double acc = 0.0;
#pragma unroll 1
  for (int j0 = 0; j0 < n; j0 += MEMORY_JTILE) {
#pragma unroll
    for (int s = 0; s < MEMORY_PAIRS; s++) {
      int q = t + MEMORY_ROWS * s;
      tile[(q >> 4) * MEMORY_STRIDE + 2 * (q & 15)] = next[s].x;
      tile[(q >> 4) * MEMORY_STRIDE + 2 * (q & 15) + 1] = next[s].y;
    }
    if (t < MEMORY_JTILE) {
      vtile[t] = v[j0 + t];
    }
    __syncthreads();
    if (j0 + MEMORY_JTILE < n) {  // the next tile's loads, in flight during the chain below
#pragma unroll
      for (int s = 0; s < MEMORY_PAIRS; s++) {
        int q = t + MEMORY_ROWS * s;
        next[s] = __ldg(reinterpret_cast<const double2*>(c + (size_t)(q >> 4) * n + j0
                                                           + MEMORY_JTILE) + (q & 15));
      }
    }
#pragma unroll
    for (int jj = 0; jj < MEMORY_JTILE; jj++) {
      acc = __fma_rn(tile[t * MEMORY_STRIDE + jj], vtile[jj], acc);
    }
    __syncthreads();
  }
  y[product * n + row0 + t] = acc;
}

// Leaf of element e: SHA-256(0x00 || LE64(y[e])), 9 bytes, one 64-byte block: the element's
// two little-endian words shifted by the prefix byte, its last byte, 0x80, zeros and the bit
// length 72 (FIPS 180-4, 5.1.1).
extern "C" __global__ void memory_leaves(const double* y, unsigned long long count,
                                         unsigned char* leaves) {
  unsigned long long e = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (e >= count) {
    return;
  }
  uint2 bits = reinterpret_cast<const uint2*>(y)[e];
  uint32_t h[8];
  sha256_init(h);
  uint32_t w[16];
  w[0] = shifted_word(0u, bits.x);  // top byte 0x00, the leaf prefix
  w[1] = shifted_word(bits.x, bits.y);
  w[2] = shifted_word(bits.y, 0x80u);
#pragma unroll
  for (int q = 3; q < 15; q++) {
    w[q] = 0;
  }
  w[15] = 8 * 9;
  sha256_compress(h, w);
  uint4* out = reinterpret_cast<uint4*>(leaves + 32 * e);
  out[0] = make_uint4(digest_word_le(h[0]), digest_word_le(h[1]), digest_word_le(h[2]),
                      digest_word_le(h[3]));
  out[1] = make_uint4(digest_word_le(h[4]), digest_word_le(h[5]), digest_word_le(h[6]),
                      digest_word_le(h[7]));
}

// SHA-256(0x00 || 32 bytes): a vector root as the memory tree's leaf, 33 bytes in one block.
__device__ inline void leaf_of_hash(const uint32_t* in, uint32_t* out) {
  uint32_t h[8];
  sha256_init(h);
  uint32_t w[16];
  uint32_t prev = 0u;  // top byte 0x00, the leaf prefix
#pragma unroll
  for (int q = 0; q < 8; q++) {
    w[q] = shifted_word(prev, in[q]);
    prev = in[q];
  }
  w[8] = shifted_word(prev, 0x80u);
#pragma unroll
  for (int q = 9; q < 15; q++) {
    w[q] = 0;
  }
  w[15] = 8 * 33;
  sha256_compress(h, w);
#pragma unroll
  for (int q = 0; q < 8; q++) {
    out[q] = digest_word_le(h[q]);
  }
}

// Block k: the MTH over product k's n element leaves (at leaves + 32 n k), as merkle_root
// builds it (merkle_reduce in merkle_tree.cuh), its levels ping-ponging in the block's own
// 32 n bytes of scratch (two halves of n/2 hashes; n is even); then the root and its leaf hash.
extern "C" __global__ void memory_vector_roots(const unsigned char* leaves,
                                               unsigned char* scratch, int n,
                                               unsigned char* roots,
                                               unsigned char* rootLeaves) {
  const size_t k = blockIdx.x;
  const int half = n / 2;
  uint32_t* const lower = reinterpret_cast<uint32_t*>(scratch + 32 * (size_t)n * k);
  uint32_t* const upper = lower + 8 * (size_t)half;
  const uint32_t* in = merkle_reduce(
      reinterpret_cast<const uint32_t*>(leaves + 32 * (size_t)n * k), n, lower, upper);
  if (threadIdx.x == 0) {
    uint32_t* root = reinterpret_cast<uint32_t*>(roots + 32 * k);
#pragma unroll
    for (int q = 0; q < 8; q++) {
      root[q] = in[q];
    }
    leaf_of_hash(in, reinterpret_cast<uint32_t*>(rootLeaves + 32 * k));
  }
}
