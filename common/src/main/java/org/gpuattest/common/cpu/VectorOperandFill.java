package org.gpuattest.common.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.gpuattest.common.spec.Philox4x32;

/**
 * {@link OperandFill} with the Vector API: one Philox block per 64-bit lane (eight per 512-bit
 * vector). Each 32-bit word sits zero-extended in a long lane, so the round's 32 x 32 -> 64-bit
 * products are plain lanewise long multiplies (exact: both factors are below 2^32) and hi/lo
 * are a shift and a mask, the same arithmetic {@link Philox4x32#block} does on one block. The
 * element conversion is exact too: u >>> 11 has 53 bits, so long-to-double is exact, the scale
 * by 2^-52 is exact and the subtraction of 1 rounds as the scalar one does. Loaded only by
 * {@link CpuKernels} when the incubator module is enabled.
 */
final class VectorOperandFill implements OperandFill {
  private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final long MASK = 0xFFFFFFFFL;
  private static final long[] IOTA = new long[L];
  /** Most elements per chunk: a whole number of two-group steps (4L elements), 8 KiB of words. */
  private static final int CHUNK = 1024;

  static {
    for (int l = 0; l < L; l++) {
      IOTA[l] = l;
    }
  }

  private final OperandFill tail = new ScalarOperandFill();

  /**
   * Elements in chunks of {@link #CHUNK}: first the Philox words of a chunk into a small buffer
   * that stays in L1 ({@link #words}), then their conversion to binary64 ({@link #convert}).
   * Two methods, and no vector passed between methods, because the JIT stops inlining in a
   * method with many vector nodes, and a vector passed to a call that was not inlined is
   * boxed: one method doing both ran at half the plain fill's speed.
   */
  @Override
  public void fill(int k0, int k1, long first, int count, int c1, int c2, int c3, double[] out,
      int off) {
    long[] u = new long[CHUNK];
    long[] even = new long[L];
    long[] odd = new long[L];
    int done = 0;
    while (count - done >= 4 * L) {
      int m = Math.min(CHUNK, (count - done) / (4 * L) * (4 * L));
      words(k0, k1, (first + done) >>> 1, m, c1, c2, c3, u, even, odd);
      convert(u, m, out, off + done);
      done += m;
    }
    if (done < count) {
      tail.fill(k0, k1, first + done, count - done, c1, c2, c3, out, off + done);
    }
  }

  /**
   * The 64-bit words u of m elements (a multiple of 4L) from block0 on, in element
   * order (even from x1:x0, odd from x3:x2). Two groups of L blocks per step with their rounds
   * interleaved: a round is a chain of a long-latency 64-bit multiply and a few cheap
   * operations, so one group alone leaves the vector units waiting (two measured 17% faster).
   */
  private static void words(int k0, int k1, long block0, int m, int c1, int c2, int c3,
      long[] u, long[] even, long[] odd) {
    LongVector iota = LongVector.fromArray(S, IOTA, 0);
    LongVector w1 = LongVector.broadcast(S, c1 & MASK);
    LongVector w2 = LongVector.broadcast(S, c2 & MASK);
    LongVector w3 = LongVector.broadcast(S, c3 & MASK);
    for (int p = 0; p < m / 2; p += 2 * L) {
      LongVector x0 = iota.add(block0 + p).and(MASK);
      LongVector y0 = iota.add(block0 + p + L).and(MASK);
      LongVector x1 = w1;
      LongVector x2 = w2;
      LongVector x3 = w3;
      LongVector y1 = w1;
      LongVector y2 = w2;
      LongVector y3 = w3;
      int key0 = k0;
      int key1 = k1;
      for (int round = 0; round < Philox4x32.ROUNDS; round++) {
        LongVector px0 = x0.mul(Philox4x32.M0);
        LongVector px1 = x2.mul(Philox4x32.M1);
        LongVector py0 = y0.mul(Philox4x32.M0);
        LongVector py1 = y2.mul(Philox4x32.M1);
        LongVector kk0 = LongVector.broadcast(S, key0 & MASK);
        LongVector kk1 = LongVector.broadcast(S, key1 & MASK);
        x0 = px1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, x1)
            .lanewise(VectorOperators.XOR, kk0);
        x1 = px1.and(MASK);
        x2 = px0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, x3)
            .lanewise(VectorOperators.XOR, kk1);
        x3 = px0.and(MASK);
        y0 = py1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, y1)
            .lanewise(VectorOperators.XOR, kk0);
        y1 = py1.and(MASK);
        y2 = py0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, y3)
            .lanewise(VectorOperators.XOR, kk1);
        y3 = py0.and(MASK);
        key0 += Philox4x32.W0;
        key1 += Philox4x32.W1;
      }
      x1.lanewise(VectorOperators.LSHL, 32).or(x0).intoArray(even, 0);
      x3.lanewise(VectorOperators.LSHL, 32).or(x2).intoArray(odd, 0);
      int o = 2 * p;
      for (int l = 0; l < L; l++) {
        u[o + 2 * l] = even[l];
        u[o + 2 * l + 1] = odd[l];
      }
      y1.lanewise(VectorOperators.LSHL, 32).or(y0).intoArray(even, 0);
      y3.lanewise(VectorOperators.LSHL, 32).or(y2).intoArray(odd, 0);
      o += 2 * L;
      for (int l = 0; l < L; l++) {
        u[o + 2 * l] = even[l];
        u[o + 2 * l + 1] = odd[l];
      }
    }
  }

  /** out[off + i] = (u[i] >>> 11) * 2^-52 - 1.0 for i below m, as Operands.element. */
  private static void convert(long[] u, int m, double[] out, int off) {
    for (int i = 0; i < m; i += L) {
      DoubleVector v = (DoubleVector) LongVector.fromArray(S, u, i)
          .lanewise(VectorOperators.LSHR, 11).convertShape(VectorOperators.L2D, D, 0);
      v.mul(0x1.0p-52).sub(1.0).intoArray(out, off + i);
    }
  }
}
