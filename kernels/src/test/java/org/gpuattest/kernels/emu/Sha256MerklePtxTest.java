package org.gpuattest.kernels.emu;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.RowHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ptx/sha256_merkle.ptx on the emulator (sanitizer on): sha256_rows against RFC 6962 leaf
 * hashes of the rows' bytes (common's {@link MerkleTree#leafHash}, {@link RowHash}), and
 * merkle_root against {@link MerkleTree#root} and the RFC 6962 reference implementation's
 * tree heads, bit for bit (docs/protocol.md section 2).
 */
class Sha256MerklePtxTest {
  private static final HexFormat HEX = HexFormat.of();

  /**
   * Source: the RFC 6962 reference implementation's test data (google/certificate-transparency
   * cpp/merkletree/merkle_tree_test.cc, reused by transparency-dev/merkle): eight leaf inputs
   * and the tree heads of sizes 1..8; common's MerkleTreeTest holds the same lines.
   */
  static final String[] CT_LEAF_DATA = {"", "00", "10", "2021", "3031", "40414243",
      "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
  static final String[] CT_ROOTS = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };

  static IntStream everyLegalN() {
    return IntStream.rangeClosed(1, 16).map(m -> 64 * m);
  }

  /** n x n C as arbitrary bytes (any binary64 bits, NaN payloads included). */
  static byte[] randomMatrix(int n, long seed) {
    byte[] c = new byte[8 * n * n];
    new java.util.Random(seed).nextBytes(c);
    return c;
  }

  /** SHA-256(0x00 || row i's 8n bytes), the RFC 6962 leaf of row i. */
  static byte[][] leafHashes(byte[] c, int n, int rows) {
    byte[][] out = new byte[rows][];
    for (int i = 0; i < rows; i++) {
      out[i] = MerkleTree.leafHash(Arrays.copyOfRange(c, 8 * n * i, 8 * n * (i + 1)));
    }
    return out;
  }

  /**
   * Every n up to 1024 that section 1.1 allows (multiples of 64: 8 to 128 full message blocks
   * before the final one), every row, on the launch shape CudaDevice uses.
   */
  @ParameterizedTest
  @MethodSource("everyLegalN")
  void rowLeaves_everyLegalNUpTo1024_equalLeafHashesOfTheRows(int n) throws Exception {
    byte[] c = randomMatrix(n, n);
    byte[][] got = ShippedKernels.shipped().rowLeaves(c, n);
    SameBits.assertHashes("sha256_rows n=" + n, leafHashes(c, n, n), got);
  }

  /** The RFC 6962 reference tree heads of sizes 1 to 8, from their leaves' hashes. */
  @Test
  void root_rfc6962ReferenceData_givesTheTreeHeads() throws Exception {
    for (int m = 1; m <= CT_LEAF_DATA.length; m++) {
      byte[][] leaves = new byte[m][];
      for (int i = 0; i < m; i++) {
        leaves[i] = MerkleTree.leafHash(HEX.parseHex(CT_LEAF_DATA[i]));
      }
      byte[] got = ShippedKernels.shipped().root(leaves, m % 3, 3);
      SameBits.assertHash("merkle_root of the " + m + " reference leaves",
          HEX.parseHex(CT_ROOTS[m - 1]), got);
    }
  }

  static IntStream counts() {
    return IntStream.concat(IntStream.rangeClosed(1, 40),
        IntStream.concat(everyLegalN(), IntStream.of(1023, 1025)));
  }

  /**
   * Every tree shape up to 40 leaves, every legal n up to 1024, and 1025 leaves, where the
   * first level's 513 nodes make thread 0 of the 512 stride to node 512 (a lone node moved up).
   */
  @ParameterizedTest
  @MethodSource("counts")
  void root_count_equalsMerkleTreeRoot(int count) throws Exception {
    SplittableRandom r = new SplittableRandom(count);
    byte[][] leaves = new byte[count][32];
    for (byte[] leaf : leaves) {
      for (int b = 0; b < leaf.length; b++) {
        leaf[b] = (byte) r.nextInt(256);
      }
    }
    byte[] got = ShippedKernels.shipped().root(leaves, 5, 8);
    SameBits.assertHash("merkle_root count=" + count, MerkleTree.root(leaves), got);
  }

  /** A product's commitment as CudaDevice computes it: rows hashed, then reduced to r(g, t). */
  @Test
  void rowsThenRoot_productAt64_equalsRowHashAndMerkleTree() throws Exception {
    int n = 64;
    PhiloxKey key = PhiloxKey.fromSeed(new byte[32]);
    double[] c = new double[n * n];
    CanonicalProduct.multiply(Operands.matrixA(key, 0, 0, n), n, Operands.matrixB(key, 0, n),
        n, c);
    ShippedKernels k = ShippedKernels.shipped();
    byte[][] leaves = k.rowLeaves(c, n);
    byte[][] want = RowHash.rowLeaves(c, n);
    SameBits.assertHashes("sha256_rows of C n=64", want, leaves);
    SameBits.assertHash("r(0, 0) n=64", MerkleTree.root(want), k.root(leaves, 0, 1));
  }
}
