// The Merkle tree hash MTH of RFC 6962 (section 2.1) over leaf hashes already in memory, by
// one block (docs/protocol.md, section 2, "Commitments"; section 2.2 for the memory phase's
// trees): merkle_root (sha256_merkle.cu) and memory_vector_roots (memory_pass.cu) reduce with
// it. Mirrored by org.gpuattest.common.merkle.MerkleTree, the CPU reference the PTX is checked
// against bit for bit on the PTX interpreter (Sha256MerklePtxTest, MemoryPassPtxTest).
#ifndef GPUATTEST_MERKLE_TREE_CUH
#define GPUATTEST_MERKLE_TREE_CUH

#include <stdint.h>

#include "sha256.cuh"

// MTH over the m >= 1 hashes at `in` (32 bytes each, as little-endian words), bottom up: at
// each level of m nodes, node i < ceil(m/2) is the node hash of nodes 2i and 2i+1, or node 2i
// moved up unchanged when 2i+1 == m. This pairing with promotion builds exactly the tree of the
// RFC's split at the largest power of two below m (MerkleTreeShapeTest checks the shapes for
// every m up to 16384). Levels ping-pong between `lower` and `upper` (ceil(m/2) hashes each);
// `in` is never written. The block's threads stride over a level's nodes, and __syncthreads
// orders the levels (it makes the block's global writes visible to the whole block), so every
// thread of the block must call it. Returns where the root is: `in` itself when m == 1.
__device__ __forceinline__ const uint32_t* merkle_reduce(const uint32_t* in, int m,
                                                         uint32_t* const lower,
                                                         uint32_t* const upper) {
#pragma unroll 1
  for (int level = 0; m > 1; level++) {
    const int next = (m + 1) / 2;
    uint32_t* out = (level & 1) == 0 ? lower : upper;  // not an array: no local memory
#pragma unroll 1
    for (int i = threadIdx.x; i < next; i += blockDim.x) {
      if (2 * i + 1 < m) {
        node_hash(in + 16 * (size_t)i, out + 8 * (size_t)i);
      } else {
#pragma unroll
        for (int q = 0; q < 8; q++) {
          out[8 * (size_t)i + q] = in[16 * (size_t)i + q];
        }
      }
    }
    __syncthreads();
    in = out;
    m = next;
  }
  return in;
}

#endif  // GPUATTEST_MERKLE_TREE_CUH
