// The canonical-v1 commitment of one product (docs/protocol.md, section 2, "Commitments"):
// sha256_rows hashes each row of C as an RFC 6962 leaf, merkle_root reduces the n leaves to
// the matrix root r(g,t) = MTH(rows). Launch shapes: sha256_rows KernelGeometry.rowHashGrid(n)
// x rowHashBlock() (one thread per row, blocks of 32); merkle_root one block of
// KernelGeometry.TREE_THREADS = 512.
#include "merkle_tree.cuh"
#include "sha256.cuh"

// Leaf of row i: SHA-256(0x00 || LE64(C[i][0]) || ... || LE64(C[i][n-1])), 8n + 1 bytes. The
// row is read as little-endian 32-bit words R[q] (16 bytes at a time); the 0x00 prefix
// shifts it by one byte, so message word q is shifted_word(R[q-1], R[q]) with R[-1] = 0 (its
// top byte is the prefix). 8n is a multiple of 64 (n % 64 == 0), so n/8 blocks hold prefix
// and data but the last data byte, and the final block holds that byte, 0x80, zeros and the
// bit length 8 (8n + 1) (FIPS 180-4, 5.1.1).
extern "C" __global__ void sha256_rows(const double* C, int n, unsigned char* leaves) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) {
    return;
  }
  const uint4* row = reinterpret_cast<const uint4*>(C + (size_t)i * n);
  uint32_t h[8];
  sha256_init(h);
  uint32_t prev = 0;  // R[-1]: top byte 0x00, the leaf prefix
  const int blocks = n / 8;  // 64-byte message blocks before the final one
#pragma unroll 1  // one compression per iteration keeps the code (and the PTX) small
  for (int blk = 0; blk < blocks; blk++) {
    uint32_t w[16];
#pragma unroll
    for (int v = 0; v < 4; v++) {
      uint4 q = row[4 * blk + v];
      w[4 * v + 0] = shifted_word(prev, q.x);
      w[4 * v + 1] = shifted_word(q.x, q.y);
      w[4 * v + 2] = shifted_word(q.y, q.z);
      w[4 * v + 3] = shifted_word(q.z, q.w);
      prev = q.w;
    }
    sha256_compress(h, w);
  }
  uint32_t w[16];
  w[0] = shifted_word(prev, 0x80u);  // the last data byte, then the 0x80 pad byte
#pragma unroll
  for (int t = 1; t < 14; t++) {
    w[t] = 0;
  }
  unsigned long long bits = 8ull * (8ull * (unsigned long long)n + 1ull);
  w[14] = (uint32_t)(bits >> 32);
  w[15] = (uint32_t)bits;
  sha256_compress(h, w);
  uint4* out = reinterpret_cast<uint4*>(leaves + 32 * (size_t)i);
  out[0] = make_uint4(digest_word_le(h[0]), digest_word_le(h[1]), digest_word_le(h[2]),
                      digest_word_le(h[3]));
  out[1] = make_uint4(digest_word_le(h[4]), digest_word_le(h[5]), digest_word_le(h[6]),
                      digest_word_le(h[7]));
}

// MTH over count leaf hashes (RFC 6962, section 2.1; merkle_reduce in merkle_tree.cuh), the
// levels in the two halves of scratch (each ceil(count/2) hashes); leaves are never written.
extern "C" __global__ void merkle_root(const unsigned char* leaves, unsigned char* scratch,
                                       int count, unsigned char* root) {
  if (count < 1) {
    return;
  }
  const int half = (count + 1) / 2;
  uint32_t* const lower = reinterpret_cast<uint32_t*>(scratch);
  uint32_t* const upper = reinterpret_cast<uint32_t*>(scratch + 32 * (size_t)half);
  const uint32_t* in =
      merkle_reduce(reinterpret_cast<const uint32_t*>(leaves), count, lower, upper);
  if (threadIdx.x == 0) {
    uint32_t* dst = reinterpret_cast<uint32_t*>(root);
#pragma unroll
    for (int q = 0; q < 8; q++) {
      dst[q] = in[q];
    }
  }
}
