// FIPS 180-4 SHA-256 for the canonical-v1 commitments (docs/protocol.md, section 2): the
// compression function and the byte shift that prepends RFC 6962's one-byte prefix (0x00 leaf,
// 0x01 node) to data read as little-endian 32-bit words. Mirrored by the Java model
// (kernels/src/test/java/org/gpuattest/kernels/cuda/Sha256Model.java).
#ifndef GPUATTEST_SHA256_CUH
#define GPUATTEST_SHA256_CUH

#include <stdint.h>

__device__ __constant__ static const uint32_t SHA256_K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u};

// A plain rotate: NVVM recognises it and emits one funnel shift with an immediate amount.
__device__ inline uint32_t sha256_rotr(uint32_t x, int s) { return (x >> s) | (x << (32 - s)); }

__device__ inline void sha256_init(uint32_t h[8]) {
  h[0] = 0x6a09e667u; h[1] = 0xbb67ae85u; h[2] = 0x3c6ef372u; h[3] = 0xa54ff53au;
  h[4] = 0x510e527fu; h[5] = 0x9b05688cu; h[6] = 0x1f83d9abu; h[7] = 0x5be0cd19u;
}

// An add the compiler keeps as written. LLVM reassociates a sum of single-use adds in the
// order it ranks the terms; for T1 = h + S1(e) + Ch(e,f,g) + K[t] + W[t] it put S1 and Ch
// first, which left four adds between e and the next e (eight steps a round in the PTX).
__device__ inline uint32_t sha256_add(uint32_t x, uint32_t y) {
  uint32_t r;
  asm("add.u32 %0, %1, %2;" : "=r"(r) : "r"(x), "r"(y));
  return r;
}

// One compression of the 16 big-endian message words w into h (FIPS 180-4, 6.2.2). The
// schedule is a rolling window of 16 words; every index is a compile-time constant after
// unrolling, so w stays in registers (ptxas -v shows no stack frame).
//
// The rounds are the standard's, arranged so that each new a and e is five dependent steps
// after the old ones (a row's leaf is a chain of n/8 + 1 compressions, docs/benchmarks.md,
// "Performance model"): everything that does not depend on this round's a or e (h + K[t] +
// W[t], d plus that) is summed off the chain; Ch(e,f,g) = g ^ (e & (f ^ g)) and Maj(a,b,c) =
// (a & (b | c)) | (b & c) are the standard's functions with one step after e or a fewer; and
//   e' = (d + pre) + (S1(e) + Ch),  a' = (S1(e) + Ch) + (S0(a) + (pre + Maj)).
// Only the grouping of the modulo-2^32 sums changes, so the result is the standard's.
__device__ inline void sha256_compress(uint32_t h[8], uint32_t w[16]) {
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
#pragma unroll
  for (int t = 0; t < 64; t++) {
    if (t >= 16) {
      uint32_t w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
      uint32_t s0 = sha256_rotr(w15, 7) ^ sha256_rotr(w15, 18) ^ (w15 >> 3);
      uint32_t s1 = sha256_rotr(w2, 17) ^ sha256_rotr(w2, 19) ^ (w2 >> 10);
      w[t & 15] += s0 + w[(t - 7) & 15] + s1;
    }
    uint32_t pre = hh + SHA256_K[t] + w[t & 15];
    uint32_t dpre = d + pre;
    uint32_t s1 = sha256_rotr(e, 6) ^ sha256_rotr(e, 11) ^ sha256_rotr(e, 25);
    uint32_t ch = g ^ (e & (f ^ g));
    uint32_t s0 = sha256_rotr(a, 2) ^ sha256_rotr(a, 13) ^ sha256_rotr(a, 22);
    uint32_t maj = (a & (b | c)) | (b & c);
    uint32_t x = sha256_add(s1, ch);
    uint32_t y = sha256_add(s0, sha256_add(pre, maj));
    hh = g; g = f; f = e; e = sha256_add(dpre, x); d = c; c = b; b = a; a = sha256_add(x, y);
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

// The big-endian SHA-256 message word made of the top byte of prev followed by the low three
// bytes of cur (both little-endian loads). A one-byte prefix (0x00 for a row leaf, 0x01 for
// a node) shifts the data by one byte, so message word q holds data bytes 4q-1 .. 4q+2:
// selector nibbles (low to high) 2, 1, 0 take cur's bytes 2, 1, 0 and 7 takes prev's byte 3.
__device__ inline uint32_t shifted_word(uint32_t prev, uint32_t cur) {
  return __byte_perm(cur, prev, 0x7012);
}

// A big-endian hash word as four bytes in digest order, for a little-endian 32-bit store.
__device__ inline uint32_t digest_word_le(uint32_t h) { return __byte_perm(h, 0, 0x0123); }

// SHA-256(0x01 || left || right), 65 bytes: the 64 bytes of the pair at in, shifted by the
// 0x01 prefix, then a final block with the last byte, 0x80 and the bit length 520.
__device__ inline void node_hash(const uint32_t* in, uint32_t* out) {
  uint32_t h[8];
  sha256_init(h);
  uint32_t w[16];
  uint32_t prev = 0x01000000u;  // top byte 0x01, the node prefix
#pragma unroll
  for (int q = 0; q < 16; q++) {
    uint32_t cur = in[q];
    w[q] = shifted_word(prev, cur);
    prev = cur;
  }
  sha256_compress(h, w);
  w[0] = shifted_word(prev, 0x80u);
#pragma unroll
  for (int t = 1; t < 15; t++) {
    w[t] = 0;
  }
  w[15] = 8 * 65;
  sha256_compress(h, w);
#pragma unroll
  for (int q = 0; q < 8; q++) {
    out[q] = digest_word_le(h[q]);
  }
}

#endif  // GPUATTEST_SHA256_CUH
