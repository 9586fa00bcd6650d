package org.gpuattest.kernels.cuda;

/**
 * The Java model of {@code kernels/src/main/cuda/sha256.cuh}: FIPS 180-4 SHA-256 compression
 * on 16 big-endian message words and the two {@code __byte_perm} uses, line for line, so the
 * kernel models hash exactly as the CUDA threads do (words, not bytes). Tested against
 * {@link java.security.MessageDigest} through the models in {@link KernelModelsTest}.
 */
final class Sha256Model {
  private Sha256Model() {}

  private static final int[] K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2
  };

  /** sha256_init. */
  static int[] init() {
    return new int[] {
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
      0x5be0cd19
    };
  }

  /** sha256_compress: the rolling 16-word schedule, as in the CUDA code. */
  static void compress(int[] h, int[] w) {
    int a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
      if (t >= 16) {
        int w15 = w[(t - 15) & 15];
        int w2 = w[(t - 2) & 15];
        int s0 = Integer.rotateRight(w15, 7) ^ Integer.rotateRight(w15, 18) ^ (w15 >>> 3);
        int s1 = Integer.rotateRight(w2, 17) ^ Integer.rotateRight(w2, 19) ^ (w2 >>> 10);
        w[t & 15] += s0 + w[(t - 7) & 15] + s1;
      }
      int t1 = hh + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11)
              ^ Integer.rotateRight(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t & 15];
      int t2 = (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13)
              ^ Integer.rotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }

  /**
   * CUDA's {@code __byte_perm(x, y, s)} (PTX prmt.b32, default mode): result byte i is byte
   * (s >> 4i) & 7 of the pool y:x (x bytes 0..3, y bytes 4..7); a selector nibble with bit 3
   * set replicates that byte's sign bit instead.
   */
  static int bytePerm(int x, int y, int s) {
    long pool = (y & 0xFFFFFFFFL) << 32 | (x & 0xFFFFFFFFL);
    int result = 0;
    for (int i = 0; i < 4; i++) {
      int nibble = (s >>> (4 * i)) & 0xF;
      int b = (int) (pool >>> (8 * (nibble & 7))) & 0xFF;
      if ((nibble & 8) != 0) {
        b = (b & 0x80) != 0 ? 0xFF : 0;
      }
      result |= b << (8 * i);
    }
    return result;
  }

  /** shifted_word: prev's top byte, then cur's bytes 0, 1, 2, as one big-endian word. */
  static int shiftedWord(int prev, int cur) {
    return bytePerm(cur, prev, 0x7012);
  }

  /** digest_word_le: a big-endian hash word byte-swapped for a little-endian store. */
  static int digestWordLe(int h) {
    return bytePerm(h, 0, 0x0123);
  }
}
