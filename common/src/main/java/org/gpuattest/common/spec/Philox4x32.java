package org.gpuattest.common.spec;

/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel
 * random numbers: as easy as 1, 2, 3" (SC'11), exactly as the Random123 library defines it.
 * Spec: canonical-v1, section "Philox4x32-10".
 *
 * <p>Design: a pure function of (counter, key), so every GPU thread, the CPU backend and the
 * validator derive the same operand element independently, with no state to share. Ten rounds;
 * the key is bumped by the Weyl constants between rounds (nine bumps).
 */
public final class Philox4x32 {
  public static final long M0 = 0xD2511F53L;
  public static final long M1 = 0xCD9E8D57L;
  public static final int W0 = 0x9E3779B9;
  public static final int W1 = 0xBB67AE85;
  public static final int ROUNDS = 10;

  private Philox4x32() {}

  /**
   * Computes one block.
   *
   * @param out receives x0, x1, x2, x3 at out[0..3]
   */
  public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
    for (int round = 0; round < ROUNDS; round++) {
      // Both products of two unsigned 32-bit values fit in 64 bits, so a Java long holds them.
      long p0 = M0 * (c0 & 0xFFFFFFFFL);
      long p1 = M1 * (c2 & 0xFFFFFFFFL);
      int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
      int n1 = (int) p1;
      int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
      int n3 = (int) p0;
      c0 = n0;
      c1 = n1;
      c2 = n2;
      c3 = n3;
      k0 += W0;
      k1 += W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
  }

  /** Convenience form returning a fresh array; for tests and the spec CLI, not hot loops. */
  public static int[] block(int[] counter, int[] key) {
    if (counter.length != 4 || key.length != 2) {
      throw new IllegalArgumentException(
          "counter needs 4 words and key 2, got " + counter.length + " and " + key.length);
    }
    int[] out = new int[4];
    block(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
    return out;
  }
}
