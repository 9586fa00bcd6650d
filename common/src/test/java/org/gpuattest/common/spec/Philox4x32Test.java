package org.gpuattest.common.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Constructor;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Philox4x32-10 (canonical-v1, "Philox4x32-10") against the Random123 known answers, a model
 * of the round function transcribed from the spec text with BigInteger arithmetic, and
 * commons-rng-core's independent Philox4x32.
 */
class Philox4x32Test {
  /**
   * Source: Random123 1.14, tests/kat_vectors, the three "philox4x32 10" lines
   * (columns: counter x4, key x2, expected output x4). The first is also the known answer
   * canonical-v1 quotes.
   */
  private static final int[][] KAT = {
    {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
        0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
    {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
        0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
    {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
        0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
  };

  private static final String ORACLE = "org.apache.commons.rng.core.source32.Philox4x32";

  @Test
  void block_random123KnownAnswers_matchKatVectors() {
    List<String> failures = new ArrayList<>();
    for (int[] v : KAT) {
      int[] out = new int[4];
      Philox4x32.block(v[0], v[1], v[2], v[3], v[4], v[5], out);
      int[] expected = {v[6], v[7], v[8], v[9]};
      if (!java.util.Arrays.equals(expected, out)) {
        failures.add(words(v, 0, 6) + " -> " + words(out, 0, 4) + ", expected "
            + words(expected, 0, 4));
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void block_arrayForm_equalsOutParameterForm() {
    int[] out = new int[4];
    Philox4x32.block(1, 2, 3, 4, 5, 6, out);
    assertArrayEquals(out, Philox4x32.block(new int[] {1, 2, 3, 4}, new int[] {5, 6}));
  }

  @Test
  void block_wrongArrayLengths_throwIllegalArgument() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Philox4x32.block(new int[3], new int[2]));
    assertTrue(e.getMessage().contains("3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Philox4x32.block(new int[4], new int[3]));
  }

  @Test
  void block_randomCountersAndKeys_matchSpecTranscriptionModel() {
    SplittableRandom rnd = new SplittableRandom(20240601L);
    List<String> failures = new ArrayList<>();
    int[] out = new int[4];
    for (int n = 0; n < 20_000; n++) {
      int[] in = randomInput(rnd, n);
      Philox4x32.block(in[0], in[1], in[2], in[3], in[4], in[5], out);
      int[] expected = model(in);
      if (!java.util.Arrays.equals(expected, out) && failures.size() < 10) {
        failures.add(words(in, 0, 6) + " -> " + words(out, 0, 4) + ", model "
            + words(expected, 0, 4));
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /**
   * commons-rng-core's Philox4x32 (added in 1.7) takes the seed {k0, k1, c0, c1, c2, c3}, with
   * c0 the least significant word of a 128-bit counter, increments the counter before its first
   * block, and then emits x0, x1, x2, x3. So it is seeded with counter - 1.
   */
  @Test
  void block_randomCountersAndKeys_matchCommonsRngPhilox4x32() throws Exception {
    Constructor<?> oracle = oracleConstructor();
    assumeTrue(oracle != null, ORACLE + " is missing: it first appears in commons-rng-core 1.7,"
        + " the pom pins ${commons-rng.version}; run with -Dcommons-rng.version=1.7");
    SplittableRandom rnd = new SplittableRandom(7L);
    List<String> failures = new ArrayList<>();
    int[] out = new int[4];
    for (int n = 0; n < 5_000; n++) {
      int[] in = randomInput(rnd, n);
      long minusOne = (in[0] & 0xFFFFFFFFL) - 1;
      int[] seed = {in[4], in[5], (int) minusOne, in[1], in[2], in[3]};
      for (int w = 1; w < 4 && minusOne < 0; w++) { // borrow up the 128-bit counter
        minusOne = (in[w] & 0xFFFFFFFFL) - 1;
        seed[2 + w] = (int) minusOne;
      }
      UniformRandomProvider rng = (UniformRandomProvider) oracle.newInstance((Object) seed);
      int[] expected = {rng.nextInt(), rng.nextInt(), rng.nextInt(), rng.nextInt()};
      Philox4x32.block(in[0], in[1], in[2], in[3], in[4], in[5], out);
      if (!java.util.Arrays.equals(expected, out) && failures.size() < 10) {
        failures.add(words(in, 0, 6) + " -> " + words(out, 0, 4) + ", commons-rng "
            + words(expected, 0, 4));
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void block_counterZeroWrapsFromAllOnes_oracleSeedingIsRight() throws Exception {
    Constructor<?> oracle = oracleConstructor();
    assumeTrue(oracle != null, ORACLE + " is missing (needs commons-rng-core 1.7)");
    // Seeded with counter 2^128 - 1, the oracle's first block is for counter 0: KAT line 1.
    UniformRandomProvider rng =
        (UniformRandomProvider) oracle.newInstance((Object) new int[] {0, 0, -1, -1, -1, -1});
    assertEquals(0x6627e8d5, rng.nextInt());
  }

  private static Constructor<?> oracleConstructor() {
    try {
      return Class.forName(ORACLE).getConstructor(int[].class);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /** Mostly random words, with the edge values 0 and 0xffffffff mixed in. */
  private static int[] randomInput(SplittableRandom rnd, int n) {
    int[] in = new int[6];
    for (int w = 0; w < 6; w++) {
      int kind = rnd.nextInt(8);
      in[w] = kind == 0 ? 0 : kind == 1 ? -1 : rnd.nextInt();
    }
    if (n < 64) { // small counters, as the operand mapping uses them
      in[0] = n;
      in[1] = n & 3;
      in[2] = n >> 2;
      in[3] = n & 1;
    }
    return in;
  }

  /** The round of canonical-v1 in BigInteger arithmetic, keys bumped between rounds. */
  private static int[] model(int[] in) {
    BigInteger mask = BigInteger.valueOf(0xFFFFFFFFL);
    BigInteger m0 = BigInteger.valueOf(0xD2511F53L);
    BigInteger m1 = BigInteger.valueOf(0xCD9E8D57L);
    long[] c = new long[4];
    for (int w = 0; w < 4; w++) {
      c[w] = in[w] & 0xFFFFFFFFL;
    }
    long k0 = in[4] & 0xFFFFFFFFL;
    long k1 = in[5] & 0xFFFFFFFFL;
    for (int round = 0; round < 10; round++) {
      if (round > 0) {
        k0 = (k0 + 0x9E3779B9L) & 0xFFFFFFFFL;
        k1 = (k1 + 0xBB67AE85L) & 0xFFFFFFFFL;
      }
      BigInteger p0 = m0.multiply(BigInteger.valueOf(c[0]));
      BigInteger p1 = m1.multiply(BigInteger.valueOf(c[2]));
      long hi0 = p0.shiftRight(32).longValue();
      long lo0 = p0.and(mask).longValue();
      long hi1 = p1.shiftRight(32).longValue();
      long lo1 = p1.and(mask).longValue();
      c = new long[] {hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0};
    }
    return new int[] {(int) c[0], (int) c[1], (int) c[2], (int) c[3]};
  }

  private static String words(int[] w, int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to; i++) {
      sb.append(i > from ? " " : "").append(String.format("%08x", w[i]));
    }
    return sb.toString();
  }
}
