package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel models against the CPU reference of canonical-v1 (docs/protocol.md, sections 1.4,
 * 1.5 and 2), at the launch shapes of {@link KernelGeometry}: if a model is right, the CUDA code
 * it mirrors computes the canonical bits.
 */
class KernelModelsTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(seed(7));

  static byte[] seed(int salt) {
    byte[] s = new byte[32];
    new Random(salt).nextBytes(s);
    return s;
  }

  static ByteBuffer alloc(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }

  static ByteBuffer of(double[] values) {
    ByteBuffer b = alloc(8L * values.length);
    for (int e = 0; e < values.length; e++) {
      b.putDouble(8 * e, values[e]);
    }
    return b;
  }

  static double[] doubles(ByteBuffer b, int count) {
    double[] out = new double[count];
    for (int e = 0; e < count; e++) {
      out[e] = b.getDouble(8 * e);
    }
    return out;
  }

  static void launch(KernelGeometry.Kernel kernel, Dim3 grid, Dim3 block, Object... args) {
    KernelModels.run(kernel.entry, grid, block, args, 1, () -> 0L);
  }

  // ---- philox_fill ------------------------------------------------------------------------

  static double[] fill(int n, int c1, int c2, int c3) {
    ByteBuffer out = alloc(8L * n * n);
    launch(KernelGeometry.Kernel.PHILOX_FILL, KernelGeometry.fillGrid(n),
        KernelGeometry.fillBlock(), out, (long) n * n / 2, KEY.k0(), KEY.k1(), c1, c2, c3);
    return doubles(out, n * n);
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128, 192})
  void philoxFill_operandsOfSeveralDevicesAndIterations_equalReference(int n) {
    for (int[] gt : new int[][] {{0, 0}, {0, 1}, {1, 0}, {3, 5}, {63, 1 << 19}}) {
      int g = gt[0];
      int t = gt[1];
      assertArrayEquals(bits(Operands.matrixA(KEY, g, t, n)), bits(fill(n, t, g, 0)),
          "A(" + g + "," + t + ") at n=" + n);
      assertArrayEquals(bits(Operands.matrixB(KEY, g, n)), bits(fill(n, 0, g, 1)),
          "B(" + g + ") at n=" + n);
    }
  }

  @Test
  void philoxModel_random123KnownAnswers() {
    // docs/protocol.md 1.2: the philox4x32 10 lines of Random123's kat_vectors.
    int[][][] kats = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{-1, -1, -1, -1}, {-1, -1}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (int[][] kat : kats) {
      int[] x = new int[4];
      KernelModels.philox(x, kat[0][0], kat[0][1], kat[0][2], kat[0][3], kat[1][0], kat[1][1]);
      assertArrayEquals(kat[2], x);
    }
  }

  @Test
  void philoxFill_protocolKnownAnswer_firstElementsOfA00AndB0() {
    PhiloxKey key = new PhiloxKey(0x5ba32e7d, 0x0272c1b9); // docs/protocol.md 1.3 example
    ByteBuffer out = alloc(16);
    KernelModels.run("philox_fill", Dim3.of(1), Dim3.of(256),
        new Object[] {out, 1L, key.k0(), key.k1(), 0, 0, 0}, 1, () -> 0L);
    assertEquals(0x3fc2a5aa42fbece0L, Double.doubleToRawLongBits(out.getDouble(0)));
    assertEquals(0xbfe48da0c86a44beL, Double.doubleToRawLongBits(out.getDouble(8)));
  }

  @Test
  void philoxFill_threadsPastPairs_writeNothing() {
    ByteBuffer out = alloc(16 * 300);
    for (int p = 0; p < 300; p++) {
      out.putDouble(16 * p, 42.0).putDouble(16 * p + 8, 42.0);
    }
    launch(KernelGeometry.Kernel.PHILOX_FILL, Dim3.of(2), Dim3.of(256), out, 100L, 1, 2, 0, 0,
        0);
    for (int p = 0; p < 300; p++) {
      boolean written = out.getDouble(16 * p) != 42.0 && out.getDouble(16 * p + 8) != 42.0;
      assertEquals(p < 100, written, "pair " + p);
    }
  }

  // ---- matmul_ffma ------------------------------------------------------------------------

  static double[] matmul(double[] a, double[] b, int n, ByteBuffer smBlocks, ByteBuffer smBusy,
      int smCount, AtomicLong clock) {
    ByteBuffer c = alloc(8L * n * n);
    for (int e = 0; e < n * n; e++) {
      c.putDouble(8 * e, Double.NaN); // every element must be overwritten
    }
    KernelModels.run("matmul_ffma", KernelGeometry.matmulGrid(n), KernelGeometry.matmulBlock(),
        new Object[] {of(a), of(b), c, n, smBlocks, smBusy}, smCount,
        () -> clock.addAndGet(10));
    return doubles(c, n * n);
  }

  /** Operands that make any change of order, fusion or start value show in the bits. */
  static double[] adversarial(int n, long salt, boolean isA) {
    Random r = new Random(salt);
    double[] x = new double[n * n];
    for (int e = 0; e < x.length; e++) {
      int k = isA ? e % n : e / n; // the k index of this element
      double v = (r.nextDouble() + 0.5) * Math.scalb(1.0, r.nextInt(120) - 60);
      v = r.nextBoolean() ? -v : v;
      switch (k % 8) {
        case 0 -> v = Math.scalb(1.0, 52) * (r.nextBoolean() ? 1 : -1); // huge, to cancel
        case 1 -> v = isA ? Math.scalb(1.0, 52) : (r.nextBoolean() ? -1.0 : 1.0);
        case 5 -> v = r.nextInt(4) == 0 ? -0.0 : v; // signed zeros: fma(-0, y, +0) is +0
        default -> { }
      }
      x[e] = v;
    }
    return x;
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128, 192})
  void matmul_randomAndAdversarialOperands_equalTheChainBitForBit(int n) {
    double[][][] cases = {
      {Operands.matrixA(KEY, 1, 2, n), Operands.matrixB(KEY, 1, n)},
      {adversarial(n, n, true), adversarial(n, n + 1, false)},
    };
    for (double[][] ab : cases) {
      double[] a = ab[0];
      double[] b = ab[1];
      double[] c = matmul(a, b, n, alloc(8 * 1024), alloc(8 * 1024), 132, new AtomicLong());
      double[] reference = new double[n * n];
      CanonicalProduct.multiply(a, n, b, n, reference);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          long want = Double.doubleToRawLongBits(CanonicalProduct.element(a, i * n, b, n, j));
          assertEquals(want, Double.doubleToRawLongBits(c[i * n + j]), "C[" + i + "][" + j + "]");
          assertEquals(want, Double.doubleToRawLongBits(reference[i * n + j]));
        }
      }
    }
  }

  @Test
  void adversarialOperands_anotherOrderOfK_changesTheBits() {
    // The matmul test can fail: descending k gives other bits on these operands.
    int n = 64;
    double[] a = adversarial(n, n, true);
    double[] b = adversarial(n, n + 1, false);
    int differ = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double down = 0.0;
        for (int k = n - 1; k >= 0; k--) {
          down = Math.fma(a[i * n + k], b[k * n + j], down);
        }
        double up = CanonicalProduct.element(a, i * n, b, n, j);
        differ += Double.doubleToRawLongBits(up) != Double.doubleToRawLongBits(down) ? 1 : 0;
      }
    }
    assertTrue(differ > n * n / 4, "only " + differ + " elements differ");
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128, 192, 576})
  void matmulMapping_everyElementOfC_writtenByExactlyOneThread(int n) {
    int[] writes = new int[n * n];
    Dim3 grid = KernelGeometry.matmulGrid(n);
    for (int by = 0; by < grid.y(); by++) {
      for (int bx = 0; bx < grid.x(); bx++) {
        for (int ty = 0; ty < 16; ty++) {
          for (int tx = 0; tx < 16; tx++) {
            for (int r = 0; r < 4; r++) {
              for (int c = 0; c < 4; c++) {
                writes[(int) KernelModels.matmulElement(n, bx, by, tx, ty, r, c)]++;
              }
            }
          }
        }
      }
    }
    for (int e = 0; e < writes.length; e++) {
      assertEquals(1, writes[e], "element " + e);
    }
  }

  @Test
  void matmulMonitor_countsEveryBlockAndItsTimeOnItsSm() {
    int n = 192; // a 3 x 3 grid
    int smCount = 4;
    ByteBuffer blocks = alloc(8 * 1024);
    ByteBuffer busy = alloc(8 * 1024);
    AtomicLong clock = new AtomicLong(1_000);
    matmul(Operands.matrixA(KEY, 0, 0, n), Operands.matrixB(KEY, 0, n), n, blocks, busy,
        smCount, clock);
    // block (bx, by) on SM (3 by + bx) % 4
    MonitorAssertions.assertRoundRobin(blocks, busy, smCount, 9);
  }

  // ---- sha256_rows and merkle_root --------------------------------------------------------

  static byte[][] rowLeaves(double[] c, int n) {
    ByteBuffer leaves = alloc(32L * n);
    launch(KernelGeometry.Kernel.ROW_HASH, KernelGeometry.rowHashGrid(n),
        KernelGeometry.rowHashBlock(), of(c), n, leaves);
    byte[][] out = new byte[n][32];
    for (int i = 0; i < n; i++) {
      leaves.get(32 * i, out[i]);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128, 576})
  void sha256Rows_everyRow_equalsTheReferenceLeaf(int n) {
    double[] c = new double[n * n];
    Random r = new Random(n);
    for (int e = 0; e < c.length; e++) {
      c[e] = Double.longBitsToDouble(r.nextLong()); // every byte value, NaNs included
    }
    byte[][] leaves = rowLeaves(c, n);
    for (int i = 0; i < n; i++) {
      assertArrayEquals(RowHash.leaf(c, i * n, n), leaves[i], "row " + i);
    }
  }

  static byte[] root(byte[][] leafHashes, ByteBuffer scratchOrNull, int rootOffset) {
    int count = leafHashes.length;
    ByteBuffer leaves = alloc(32L * count);
    for (int i = 0; i < count; i++) {
      leaves.put(32 * i, leafHashes[i]);
    }
    ByteBuffer before = leaves.duplicate();
    byte[] copy = leaves.array().clone();
    ByteBuffer scratch =
        scratchOrNull != null ? scratchOrNull : alloc(2L * ((count + 1) / 2) * 32);
    ByteBuffer roots = alloc(rootOffset + 32L);
    ByteBuffer at = roots.slice(rootOffset, 32).order(ByteOrder.LITTLE_ENDIAN);
    launch(KernelGeometry.Kernel.TREE, KernelGeometry.treeGrid(), KernelGeometry.treeBlock(),
        leaves, scratch, count, at);
    assertArrayEquals(copy, before.array(), "merkle_root wrote into the leaves");
    for (int b = 0; b < rootOffset; b++) {
      assertEquals(0, roots.get(b), "merkle_root wrote before its root slot");
    }
    byte[] out = new byte[32];
    roots.get(rootOffset, out);
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128, 576, 640, 1088})
  void merkleRoot_rowLeavesOfAProduct_equalReferenceRoot(int n) {
    byte[][] leaves;
    if (n <= 128) {
      double[] c = new double[n * n];
      CanonicalProduct.multiply(Operands.matrixA(KEY, 0, 0, n), n, Operands.matrixB(KEY, 0, n),
          n, c);
      leaves = rowLeaves(c, n);
    } else {
      leaves = randomHashes(n, n);
    }
    assertArrayEquals(MerkleTree.root(leaves), root(leaves, null, 96), "n=" + n);
  }

  @Test
  void merkleRoot_everyCountUpTo1100AndSomeBeyond_equalsReference() {
    for (int m = 1; m <= 1100; m += m < 40 ? 1 : 37) {
      byte[][] leaves = randomHashes(m, m);
      assertArrayEquals(MerkleTree.root(leaves), root(leaves, null, 0), "count " + m);
    }
    for (int m : new int[] {1023, 1024, 1025, 2047, 2049, 16384}) {
      byte[][] leaves = randomHashes(m, m);
      assertArrayEquals(MerkleTree.root(leaves), root(leaves, null, 32), "count " + m);
    }
  }

  @Test
  void merkleRoot_scratchTooSmall_faults() {
    // 9 leaves need two halves of 5 hashes; with only one, the second level's writes fault.
    byte[][] leaves = randomHashes(9, 1);
    assertThrows(IndexOutOfBoundsException.class, () -> root(leaves, alloc(32 * 5), 0));
  }

  static byte[][] randomHashes(int count, long salt) {
    Random r = new Random(salt);
    byte[][] out = new byte[count][32];
    for (byte[] h : out) {
      r.nextBytes(h);
    }
    return out;
  }

  // ---- arguments --------------------------------------------------------------------------

  @Test
  void run_unknownEntryOrWrongArguments_refused() {
    Dim3 one = Dim3.of(1);
    assertThrows(IllegalArgumentException.class,
        () -> KernelModels.run("dgemm", one, one, new Object[0], 1, () -> 0L));
    assertThrows(IllegalArgumentException.class, () -> KernelModels.run("philox_fill", one, one,
        new Object[] {alloc(16), 1, 0, 0, 0, 0, 0}, 1, () -> 0L)); // pairs must be a Long
    assertThrows(IllegalArgumentException.class, () -> KernelModels.run("sha256_rows", one, one,
        new Object[] {alloc(8 * 64 * 64), 64}, 1, () -> 0L));
    assertThrows(IllegalArgumentException.class, () -> KernelModels.run("matmul_ffma", one,
        Dim3.of(256), new Object[] {alloc(8), alloc(8), alloc(8), 64, alloc(8), alloc(8)}, 1,
        () -> 0L));
  }

  static long[] bits(double[] x) {
    long[] out = new long[x.length];
    for (int e = 0; e < x.length; e++) {
      out[e] = Double.doubleToRawLongBits(x[e]);
    }
    return out;
  }
}
