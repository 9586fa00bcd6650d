package org.gpuattest.common.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MerkleTree (bottom-up) against the recursive RFC 6962 model, for every size 1..300, and
 * against the RFC 6962 reference test data.
 */
class MerkleTreeTest {
  private static final HexFormat HEX = HexFormat.of();
  static final int MAX_SIZE = 300;

  /**
   * Source: the RFC 6962 reference implementation's test data (google/certificate-transparency
   * cpp/merkletree/merkle_tree_test.cc, reused by transparency-dev/merkle): eight leaf inputs and
   * the tree heads of sizes 1..8. Re-derived independently with Python hashlib before checking in.
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

  /** Same source: the audit path of leaf 0 in the tree of 8. */
  static final String[] CT_PATH_0_OF_8 = {
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  };

  /** RFC 6962 section 2.1: MTH({""}) = SHA-256(0x00), the leaf prefix applied to nothing. */
  @Test
  void leafHash_emptyString_isSha256OfLeafPrefix() {
    assertEquals("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        HEX.formatHex(MerkleTree.leafHash(new byte[0])));
    assertEquals(HEX.formatHex(MerkleTree.leafHash(new byte[0])),
        HEX.formatHex(MerkleTree.root(new byte[][] {MerkleTree.leafHash(new byte[0])})));
  }

  @Test
  void nodeHash_anyChildren_isSha256OfNodePrefixLeftRight() {
    byte[] l = MerkleTree.leafHash(new byte[] {1});
    byte[] r = MerkleTree.leafHash(new byte[] {2});
    assertArrayEquals(MerkleModel.node(l, r), MerkleTree.nodeHash(l, r));
  }

  @Test
  void root_rfc6962ReferenceData_matchesTreeHeadsForSizes1To8() {
    List<String> failures = new ArrayList<>();
    byte[][] leaves = new byte[CT_LEAF_DATA.length][];
    for (int i = 0; i < leaves.length; i++) {
      leaves[i] = MerkleTree.leafHash(HEX.parseHex(CT_LEAF_DATA[i]));
    }
    for (int m = 1; m <= leaves.length; m++) {
      String got = HEX.formatHex(MerkleTree.root(java.util.Arrays.copyOf(leaves, m)));
      if (!got.equals(CT_ROOTS[m - 1])) {
        failures.add("size " + m + ": " + got + ", expected " + CT_ROOTS[m - 1]);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
    byte[][] path = MerkleTree.auditPath(0, leaves);
    List<String> hexPath = new ArrayList<>();
    for (byte[] p : path) {
      hexPath.add(HEX.formatHex(p));
    }
    assertEquals(List.of(CT_PATH_0_OF_8), hexPath);
  }

  @Test
  void root_noLeaves_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> MerkleTree.root(new byte[0][]));
  }

  @Test
  void root_leafArray_isNotModified() {
    byte[][] leaves = MerkleModel.leaves(7);
    byte[][] copy = new byte[7][];
    for (int i = 0; i < 7; i++) {
      copy[i] = leaves[i].clone();
    }
    MerkleTree.root(leaves);
    MerkleTree.auditPath(3, leaves);
    for (int i = 0; i < 7; i++) {
      assertArrayEquals(copy[i], leaves[i], "leaf " + i);
    }
  }

  @Test
  void rootAndAuditPath_everySizeTo300_agreeWithRecursiveModel() {
    List<String> failures = new ArrayList<>();
    for (int m = 1; m <= MAX_SIZE; m++) {
      byte[][] leaves = MerkleModel.leaves(m);
      MerkleModel model = new MerkleModel(leaves);
      byte[] root = MerkleTree.root(leaves);
      if (!java.util.Arrays.equals(model.root(), root)) {
        failures.add("size " + m + ": root differs from the model");
        continue;
      }
      for (int index : indices(m)) {
        List<byte[]> expected = model.path(index);
        byte[][] got = MerkleTree.auditPath(index, leaves);
        if (!samePath(expected, got)) {
          failures.add("size " + m + " index " + index + ": path of " + got.length
              + " entries differs from the model's " + expected.size());
        }
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures, first: "
        + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
  }

  @Test
  void auditPath_indexOutsideTree_throwsIllegalArgumentNamingIndex() {
    byte[][] leaves = MerkleModel.leaves(5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MerkleTree.auditPath(5, leaves));
    assertTrue(e.getMessage().contains("5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MerkleTree.auditPath(-1, leaves));
  }

  /** Every index up to 128 leaves; above that the edges, powers of two and a stride. */
  static List<Integer> indices(int m) {
    List<Integer> out = new ArrayList<>();
    if (m <= 128) {
      for (int i = 0; i < m; i++) {
        out.add(i);
      }
      return out;
    }
    java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
    for (int i = 0; i < m; i += 7) {
      set.add(i);
    }
    for (int p = 1; p < m; p <<= 1) {
      set.add(p - 1);
      set.add(p);
      if (p + 1 < m) {
        set.add(p + 1);
      }
    }
    set.add(m - 2);
    set.add(m - 1);
    out.addAll(set);
    return out;
  }

  private static boolean samePath(List<byte[]> expected, byte[][] got) {
    if (expected.size() != got.length) {
      return false;
    }
    for (int i = 0; i < got.length; i++) {
      if (!java.util.Arrays.equals(expected.get(i), got[i])) {
        return false;
      }
    }
    return true;
  }

  @Test
  void auditPaths_manyIndicesOneBuild_equalSinglePaths() {
    for (int m : new int[] {1, 2, 7, 64, 100, 257}) {
      byte[][] leaves = new byte[m][];
      for (int i = 0; i < m; i++) {
        leaves[i] = MerkleTree.leafHash(new byte[] {(byte) i, (byte) (i >> 8), 42});
      }
      int[] indices = {m - 1, 0, m / 2, m - 1, m / 3};
      byte[][][] paths = MerkleTree.auditPaths(indices, leaves);
      for (int k = 0; k < indices.length; k++) {
        byte[][] single = MerkleTree.auditPath(indices[k], leaves);
        assertEquals(single.length, paths[k].length, "size " + m + " index " + indices[k]);
        for (int p = 0; p < single.length; p++) {
          assertArrayEquals(single[p], paths[k][p], "size " + m + " index " + indices[k]);
        }
      }
    }
  }
}
