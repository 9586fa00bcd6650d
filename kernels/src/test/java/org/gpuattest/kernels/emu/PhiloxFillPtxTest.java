package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.Philox4x32;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ptx/philox_fill.ptx on the emulator (sanitizer on) against the Random123 known answers and
 * common's {@link Philox4x32} with the element mapping of docs/protocol.md section 1.4, bit for
 * bit. A thread's element pair is v = (u >> 11) 2^-52 - 1 of u = x1 << 32 | x0 and
 * x3 << 32 | x2, so the output shows all of x1 and x3 and the top 21 bits of x0 and x2.
 */
class PhiloxFillPtxTest {
  /**
   * Source: Random123 1.14, tests/kat_vectors, the three "philox4x32 10" lines (counter x4,
   * key x2, output x4); common's Philox4x32Test checks the CPU generator against the same lines.
   */
  static final int[][] KAT = {
    {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
        0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
    {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
        0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
    {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
        0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
  };

  /** The line of philox_fill.ptx that reads the block index (thread p = ctaid ntid + tid). */
  static final String CTAID_LINE = "\tmov.u32 \t%r6, %ctaid.x;\n";

  /** The elements {even, odd} a Philox block (x0, x1, x2, x3) becomes (section 1.4). */
  static double[] elements(int x0, int x1, int x2, int x3) {
    return new double[] {Operands.element((x1 & 0xFFFFFFFFL) << 32 | (x0 & 0xFFFFFFFFL)),
        Operands.element((x3 & 0xFFFFFFFFL) << 32 | (x2 & 0xFFFFFFFFL))};
  }

  /** The n x n matrix of counter words (c1, c2, c3) by Philox4x32 block by block. */
  static double[] reference(int n, int k0, int k1, int c1, int c2, int c3) {
    double[] m = new double[n * n];
    int[] x = new int[4];
    for (int p = 0; p < n * n / 2; p++) {
      Philox4x32.block(p, c1, c2, c3, k0, k1, x);
      double[] pair = elements(x[0], x[1], x[2], x[3]);
      m[2 * p] = pair[0];
      m[2 * p + 1] = pair[1];
    }
    return m;
  }

  /** Random123's first vector, counter (0, 0, 0, 0) and key (0, 0): thread 0 of any fill. */
  @Test
  void fill_random123ZeroVector_givesItsElements() throws Exception {
    double[] got = ShippedKernels.shipped().fill(64, 0, 0, 0, 0, 0);
    int[] v = KAT[0];
    double[] want = elements(v[6], v[7], v[8], v[9]);
    assertEquals(SameBits.bits(want[0]), SameBits.bits(got[0]), "element 0");
    assertEquals(SameBits.bits(want[1]), SameBits.bits(got[1]), "element 1");
    SameBits.assertMatrix("philox_fill n=64 key (0, 0)", reference(64, 0, 0, 0, 0, 0), got, 64);
  }

  /**
   * Random123's other two vectors have counter words c0 = 0xffffffff and 0x243f6a88, which
   * only thread p = c0 of a fill of 2^32 pairs would compute. So the block index is relocated:
   * one line is added after philox_fill.ptx reads %ctaid.x, adding c0 / 256 to it, and one
   * block of 256 threads is launched with pairs past them and an out pointer moved back by
   * as much, so thread c0 % 256 computes counter c0 and writes inside a 4 KiB buffer. The
   * Philox rounds and the element conversion are the shipped lines.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void fill_relocatedToRandom123Counter_givesItsElements(int vector) throws Exception {
    int[] v = KAT[vector];
    long c0 = v[0] & 0xFFFFFFFFL;
    long firstPair = c0 & ~0xFFL;
    String ptx = ShippedKernels.text(Kernel.PHILOX_FILL.ptxFile);
    assertEquals(1, occurrences(ptx, CTAID_LINE), "philox_fill.ptx reads %ctaid.x once");
    String relocated = ptx.replace(CTAID_LINE,
        CTAID_LINE + "\tadd.s32 \t%r6, %r6, " + (firstPair >>> 8) + ";\n");
    ShippedKernels k = ShippedKernels.withPtx(Kernel.PHILOX_FILL.ptxFile, relocated);
    int threads = KernelGeometry.FILL_THREADS;
    long buffer = k.allocate(16L * threads, (byte) 0xA5);
    k.launch(Kernel.PHILOX_FILL, Dim3.of(1), KernelGeometry.fillBlock(), buffer - 16 * firstPair,
        firstPair + threads, v[4], v[5], v[1], v[2], v[3]);
    double[] got = k.doubles(buffer, 2 * threads);
    int t = (int) (c0 - firstPair);
    double[] want = elements(v[6], v[7], v[8], v[9]);
    assertEquals(SameBits.bits(want[0]), SameBits.bits(got[2 * t]), "even element of " + c0);
    assertEquals(SameBits.bits(want[1]), SameBits.bits(got[2 * t + 1]), "odd element of " + c0);
    double[] all = new double[2 * threads];
    int[] x = new int[4];
    for (int p = 0; p < threads; p++) {
      Philox4x32.block((int) (firstPair + p), v[1], v[2], v[3], v[4], v[5], x);
      double[] pair = elements(x[0], x[1], x[2], x[3]);
      all[2 * p] = pair[0];
      all[2 * p + 1] = pair[1];
    }
    SameBits.assertMatrix("philox_fill pairs " + firstPair + "..", all, got, 2 * threads);
  }

  /** A(g, t) as CudaDevice fills it, counter (p, t, g, 0), at every legal n up to 384. */
  @ParameterizedTest
  @ValueSource(ints = {64, 128, 192, 256, 320, 384})
  void fill_operandAEveryLegalN_equalsPhilox4x32(int n) throws Exception {
    int k0 = 0xdeadbeef;
    int k1 = 0xfffffff0; // the Weyl bumps wrap
    double[] got = ShippedKernels.shipped().fill(n, k0, k1, 7, 3, 0);
    SameBits.assertMatrix("philox_fill A(3, 7) n=" + n, reference(n, k0, k1, 7, 3, 0), got, n);
  }

  /** B(g), counter (p, 0, g, 1), under a key from a seed: what the validator recomputes. */
  @Test
  void fill_operandB_equalsOperandsMatrixB() throws Exception {
    PhiloxKey key = PhiloxKey.fromSeed(new byte[32]);
    int n = 128;
    double[] got = ShippedKernels.shipped().fill(n, key.k0(), key.k1(), 0, 5, 1);
    SameBits.assertMatrix("philox_fill B(5) n=" + n, Operands.matrixB(key, 5, n), got, n);
  }

  /**
   * Threads p >= pairs write nothing: 300 pairs over two blocks of 256, into a buffer of
   * exactly 300 pairs, so a write past it is the sanitizer's out-of-bounds fault.
   */
  @Test
  void fill_gridPastThePairs_writesOnlyThePairs() throws Exception {
    ShippedKernels k = ShippedKernels.shipped();
    int pairs = 300;
    long out = k.allocate(16L * pairs, (byte) 0xA5);
    k.launch(Kernel.PHILOX_FILL, Dim3.of(2), KernelGeometry.fillBlock(), out, pairs, 1, 2, 3, 4,
        5);
    double[] want = new double[2 * pairs];
    int[] x = new int[4];
    for (int p = 0; p < pairs; p++) {
      Philox4x32.block(p, 3, 4, 5, 1, 2, x);
      double[] pair = elements(x[0], x[1], x[2], x[3]);
      want[2 * p] = pair[0];
      want[2 * p + 1] = pair[1];
    }
    SameBits.assertMatrix("philox_fill 300 pairs", want, k.doubles(out, 2 * pairs), 2 * pairs);
  }

  static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }
}
