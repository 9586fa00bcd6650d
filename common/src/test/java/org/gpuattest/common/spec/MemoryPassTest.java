package org.gpuattest.common.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;

/**
 * The memory phase of canonical-v1 (docs/protocol.md §2.2): the pass key, the vector, the
 * element chain, the leaves and roots, and the memory digest, each against values computed
 * independently of {@link MemoryPass}.
 */
class MemoryPassTest {
  private static final byte[] SEED = seed();

  private static byte[] seed() {
    byte[] s = new byte[32];
    for (int i = 0; i < 32; i++) {
      s[i] = (byte) i;
    }
    return s;
  }

  private static byte[] filled(int value) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  /**
   * Known answer from Python's hashlib: sha256(b"memory-vector/v1" + bytes(range(32)) +
   * pack('<I', 1) + pack('<I', 2) + b"\x11" * 32) = b62eacab 93626681 ..., so k0 = 0xabac2eb6
   * and k1 = 0x81666293.
   */
  @Test
  void key_seedDevicePassAndPrevious_isTheHashsFirstTwoWords() {
    PhiloxKey k = MemoryPass.key(SEED, 1, 2, filled(0x11));
    assertEquals(0xabac2eb6, k.k0());
    assertEquals(0x81666293, k.k1());
  }

  @Test
  void key_anotherPreviousRoot_givesAnotherKey() {
    assertNotEquals(MemoryPass.key(SEED, 0, 1, filled(1)), MemoryPass.key(SEED, 0, 1, filled(2)));
  }

  @Test
  void key_shortSeed_isRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> MemoryPass.key(new byte[31], 0, 0, new byte[32]));
  }

  /** Element j from Philox block (j >> 1, 0, 0, 2) under the pass key, x1:x0 even, x3:x2 odd. */
  @Test
  void vector_elements_comeFromCounterWordThree2() {
    PhiloxKey k = MemoryPass.key(SEED, 0, 0, filled(7));
    double[] v = Operands.memoryVector(k, 64);
    int[] out = new int[4];
    for (int j = 0; j < 64; j++) {
      Philox4x32.block(j >> 1, 0, 0, 2, k.k0(), k.k1(), out);
      long u = (j & 1) == 0 ? (long) out[1] << 32 | (out[0] & 0xFFFFFFFFL)
          : (long) out[3] << 32 | (out[2] & 0xFFFFFFFFL);
      assertEquals(Operands.element(u), v[j], "element " + j);
    }
  }

  /** The chain is fma in ascending j from +0.0: a multiply-then-add sum differs somewhere. */
  @Test
  void dot_isTheAscendingFmaChainFromPositiveZero() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 256;
    double[] row = new double[n];
    double[] v = new double[n];
    for (int j = 0; j < n; j++) {
      row[j] = r.nextDouble(-16, 16);
      v[j] = r.nextDouble(-1, 1);
    }
    double chain = 0.0;
    double unfused = 0.0;
    for (int j = 0; j < n; j++) {
      chain = Math.fma(row[j], v[j], chain);
      unfused = unfused + row[j] * v[j];
    }
    assertEquals(Double.doubleToRawLongBits(chain),
        Double.doubleToRawLongBits(MemoryPass.dot(row, 0, n, v)));
    assertNotEquals(Double.doubleToRawLongBits(unfused),
        Double.doubleToRawLongBits(MemoryPass.dot(row, 0, n, v)), "the test needs a case where"
            + " fusing matters");
    // +0.0 start: a zero row gives +0.0, not -0.0, even with negative v
    double[] zeros = new double[n];
    double[] negative = new double[n];
    java.util.Arrays.fill(negative, -1.0);
    assertEquals(0L, Double.doubleToRawLongBits(MemoryPass.dot(zeros, 0, n, negative)));
  }

  /** Known answer from Python: sha256(b"\x00" + pack('<d', 1.0)). */
  @Test
  void leaf_ofOne_isShaOfZeroByteAndLe64() {
    assertEquals("588af1014ad0299ef689e324b5b6dc164476bb8ade04bbd435a15d432893e4a3",
        Hex.encode(MemoryPass.leaf(1.0)));
  }

  @Test
  void vectorRoot_isTheTreeOverTheElementLeaves() {
    double[] y = {1.0, -2.5, 0.0, 3.25, 7.0};
    byte[][] leaves = new byte[y.length][];
    for (int i = 0; i < y.length; i++) {
      leaves[i] = MemoryPass.leaf(y[i]);
    }
    assertArrayEquals(MerkleTree.root(leaves), MemoryPass.vectorRoot(y, 0, y.length));
  }

  @Test
  void memoryRoot_hashesEachVectorRootAgainAsALeaf() {
    byte[][] roots = {filled(1), filled(2), filled(3)};
    assertArrayEquals(MerkleTree.root(new byte[][] {MerkleTree.leafHash(roots[0]),
        MerkleTree.leafHash(roots[1]), MerkleTree.leafHash(roots[2])}),
        MemoryPass.memoryRoot(roots));
  }

  /**
   * Known answer from Python: sha256(b"memory/v1" + b"\xaa" * 32 + bytes(range(32)) +
   * pack('<I', 2) + pack('<I', 2) + roots), root (g, p) being bytes([0x20 + 2g + p]) * 32.
   */
  @Test
  void digest_ofTwoDevicesTwoPasses_isTheKnownAnswer() {
    List<byte[][]> roots = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      roots.add(new byte[][] {filled(0x20 + 2 * g), filled(0x20 + 2 * g + 1)});
    }
    assertEquals("3e41816b0e95a520ea461b4083308e216c6baed127fe0afbe8a4d42b52d543ad",
        Hex.encode(MemoryPass.digest(filled(0xaa), SEED, roots)));
  }

  @Test
  void digest_devicesWithDifferentPassCounts_isRefused() {
    List<byte[][]> roots = List.of(new byte[][] {filled(1)}, new byte[][] {filled(1), filled(2)});
    assertThrows(IllegalArgumentException.class,
        () -> MemoryPass.digest(filled(0), SEED, roots));
  }

  /** The pass over kept products is y = C x v per product, rooted per product. */
  @Test
  void vectorRoots_matchTheElementByElementDefinition() {
    PhiloxKey key = new PhiloxKey(5, 6);
    int n = 64;
    double[] b = Operands.matrixB(key, 0, n);
    List<double[]> kept = List.of(Reference.matrix(key, 0, 0, n, b),
        Reference.matrix(key, 0, 1, n, b));
    double[] v = MemoryPass.vector(SEED, 0, 0, filled(9), n);
    byte[][] roots = MemoryPass.vectorRoots(kept, n, v);
    for (int k = 0; k < 2; k++) {
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        double acc = 0.0;
        for (int j = 0; j < n; j++) {
          acc = Math.fma(kept.get(k)[i * n + j], v[j], acc);
        }
        y[i] = acc;
      }
      assertArrayEquals(MemoryPass.vectorRoot(y, 0, n), roots[k], "product " + k);
    }
  }
}
