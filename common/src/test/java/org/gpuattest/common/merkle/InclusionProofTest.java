package org.gpuattest.common.merkle;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.gpuattest.common.VerificationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * InclusionProof.verify (RFC 9162 section 2.1.3.2) accepts every path the model builds and
 * refuses each tampering, with the message of the step that catches it.
 */
class InclusionProofTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void verify_modelPathsForEverySizeTo300_areAccepted() {
    List<String> failures = new ArrayList<>();
    for (int m = 1; m <= MerkleTreeTest.MAX_SIZE; m++) {
      byte[][] leaves = MerkleModel.leaves(m);
      MerkleModel model = new MerkleModel(leaves);
      byte[] root = model.root();
      for (int index : MerkleTreeTest.indices(m)) {
        byte[][] path = model.path(index).toArray(new byte[0][]);
        try {
          InclusionProof.verify("t", index, m, leaves[index], path, root);
        } catch (VerificationException e) {
          failures.add("size " + m + " index " + index + ": " + e.getMessage());
        }
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures, first: "
        + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
  }

  /** Source: RFC 6962 reference test data, see MerkleTreeTest.CT_PATH_0_OF_8. */
  @Test
  void verify_rfc6962ReferencePath_isAccepted() {
    byte[][] path = new byte[3][];
    for (int i = 0; i < 3; i++) {
      path[i] = HEX.parseHex(MerkleTreeTest.CT_PATH_0_OF_8[i]);
    }
    assertDoesNotThrow(() -> InclusionProof.verify("ct", 0, 8, MerkleTree.leafHash(new byte[0]),
        path, HEX.parseHex(MerkleTreeTest.CT_ROOTS[7])));
  }

  /**
   * One loop over sizes and indices, each attack checked by the step that must catch it; all
   * failures are collected. A wrong tree size is only used where RFC 9162 can notice it, i.e.
   * where the path length for that size differs (a size is otherwise bound by the signed root,
   * not by the path: leaf 0 of 3 has the same path shape as leaf 0 of 4).
   */
  @Test
  void verify_tamperedProofs_areRejectedByTheRightStep() {
    List<String> failures = new ArrayList<>();
    int cases = 0;
    for (int m = 1; m <= MerkleTreeTest.MAX_SIZE; m += m < 40 ? 1 : 13) {
      byte[][] leaves = MerkleModel.leaves(m);
      MerkleModel model = new MerkleModel(leaves);
      byte[] root = model.root();
      for (int index : MerkleTreeTest.indices(m)) {
        byte[][] path = model.path(index).toArray(new byte[0][]);
        byte[] leaf = leaves[index];
        String at = "size " + m + " index " + index + ": ";
        for (int e = 0; e < path.length; e++) {
          byte[][] flipped = deepCopy(path);
          flipped[e][e % 32] ^= 0x01;
          cases += expectRejected(failures, at + "flipped byte in entry " + e, "leads to",
              index, m, leaf, flipped, root);
        }
        if (m > 1) {
          cases += expectRejected(failures, at + "wrong index", null,
              (index + 1) % m, m, leaf, path, root);
        }
        int otherSize = sizeWithOtherPathLength(index, m);
        cases += expectRejected(failures, at + "wrong tree size " + otherSize, "audit path is",
            index, otherSize, leaf, path, root);
        byte[][] longer = Arrays.copyOf(path, path.length + 1);
        longer[path.length] = leaves[0].clone();
        cases += expectRejected(failures, at + "extra entry", "longer than the tree allows",
            index, m, leaf, longer, root);
        if (path.length > 0) {
          cases += expectRejected(failures, at + "missing entry", "shorter than the tree needs",
              index, m, leaf, Arrays.copyOf(path, path.length - 1), root);
        }
        cases += expectRejected(failures, at + "index = size", "is not below the tree size",
            m, m, leaf, path, root);
        cases += expectRejected(failures, at + "index > size", "is not below the tree size",
            m + 5, m, leaf, path, root);
        cases += expectRejected(failures, at + "negative index", "is not below the tree size",
            -1, m, leaf, path, root);
        byte[] wrongLeaf = MerkleModel.leaf(new byte[] {(byte) index});
        cases += expectRejected(failures, at + "wrong leaf", "leads to",
            index, m, wrongLeaf, path, root);
        if (m > 1) {
          cases += expectRejected(failures, at + "the sibling leaf", "leads to",
              index, m, leaves[(index ^ 1) < m ? index ^ 1 : 0], path, root);
        }
      }
    }
    assertTrue(cases > 10_000, "only " + cases + " cases ran");
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " cases accepted: "
        + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
  }

  @Test
  void verify_rootMismatch_printsExpectedAndActualHex() {
    byte[][] leaves = MerkleModel.leaves(4);
    MerkleModel model = new MerkleModel(leaves);
    byte[] wrongRoot = MerkleModel.leaf(new byte[] {9});
    VerificationException e = assertThrows(VerificationException.class,
        () -> InclusionProof.verify("row 2 of r(0,1)", 2, 4, leaves[2],
            model.path(2).toArray(new byte[0][]), wrongRoot));
    assertEquals("row 2 of r(0,1): audit path leads to " + HEX.formatHex(model.root())
        + ", expected " + HEX.formatHex(wrongRoot), e.getMessage());
  }

  @Test
  void verify_pathEntryOfWrongLength_isRejected() {
    byte[][] leaves = MerkleModel.leaves(2);
    VerificationException e = assertThrows(VerificationException.class,
        () -> InclusionProof.verify("t", 0, 2, leaves[0], new byte[][] {new byte[31]},
            new MerkleModel(leaves).root()));
    assertTrue(e.getMessage().contains("31 bytes"), e.getMessage());
  }

  /**
   * Source: transparency-dev/merkle proof/verify_test.go, TestVerifyInclusionSingleEntry: in a
   * tree of one leaf the proof is empty and the root is the leaf hash, and root = leaf hash =
   * the empty string ("Wrong hash size") must be refused. Without the size precheck the two
   * equal arrays would compare equal and verify; 31 and 33 bytes are the same case.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 31, 33})
  void verify_singleLeafWithEqualWrongSizeLeafHashAndRoot_isRefused(int bytes) {
    byte[] hash = new byte[bytes];
    VerificationException e = assertThrows(VerificationException.class,
        () -> InclusionProof.verify("t", 0, 1, hash, new byte[0][], hash.clone()));
    assertEquals("t: leaf hash is " + bytes + " bytes, not 32", e.getMessage());
  }

  /** Same source, the valid case of that test: one leaf, empty proof, root = leaf hash. */
  @Test
  void verify_singleLeafWith32ByteLeafHashAsRoot_isAccepted() {
    byte[] hash = MerkleTree.leafHash("data".getBytes(StandardCharsets.US_ASCII));
    assertDoesNotThrow(() -> InclusionProof.verify("t", 0, 1, hash, new byte[0][], hash.clone()));
  }

  /**
   * The RFC 6962 reference path of leaf 0 in the tree of 8 (MerkleTreeTest.CT_PATH_0_OF_8),
   * which verifies with its 32-byte leaf hash, refused with a leaf hash of another size.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 31, 33})
  void verify_referencePathWithWrongSizeLeafHash_isRefused(int bytes) {
    byte[] leaf = Arrays.copyOf(MerkleTree.leafHash(new byte[0]), bytes);
    VerificationException e = assertThrows(VerificationException.class,
        () -> InclusionProof.verify("t", 0, 8, leaf, referencePath(), referenceRoot()));
    assertEquals("t: leaf hash is " + bytes + " bytes, not 32", e.getMessage());
  }

  /** The same reference path, refused against a root of another size. */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 31, 33})
  void verify_referencePathWithWrongSizeRoot_isRefused(int bytes) {
    byte[] root = Arrays.copyOf(referenceRoot(), bytes);
    VerificationException e = assertThrows(VerificationException.class,
        () -> InclusionProof.verify("t", 0, 8, MerkleTree.leafHash(new byte[0]), referencePath(),
            root));
    assertEquals("t: root is " + bytes + " bytes, not 32", e.getMessage());
  }

  private static byte[][] referencePath() {
    byte[][] path = new byte[MerkleTreeTest.CT_PATH_0_OF_8.length][];
    for (int i = 0; i < path.length; i++) {
      path[i] = HEX.parseHex(MerkleTreeTest.CT_PATH_0_OF_8[i]);
    }
    return path;
  }

  private static byte[] referenceRoot() {
    return HEX.parseHex(MerkleTreeTest.CT_ROOTS[7]);
  }

  /** The first of several nearby sizes whose audit path for index has another length. */
  private static int sizeWithOtherPathLength(int index, int m) {
    int length = pathLength(index, m);
    int[] candidates = {m + 1, m - 1, 2 * m, m + 2, m - 2, 4 * m + 1};
    for (int c : candidates) {
      if (c > index && pathLength(index, c) != length) {
        return c;
      }
    }
    throw new AssertionError("no size near " + m + " changes the path of " + index);
  }

  /** Length of PATH(index, D[m]) by the RFC 6962 recursion, without hashing. */
  private static int pathLength(int index, int m) {
    int length = 0;
    int from = 0;
    while (m > 1) {
      int k = MerkleModel.split(m);
      if (index - from < k) {
        m = k;
      } else {
        from += k;
        m -= k;
      }
      length++;
    }
    return length;
  }

  private static int expectRejected(List<String> failures, String what, String messagePart,
      long index, long size, byte[] leaf, byte[][] path, byte[] root) {
    try {
      InclusionProof.verify("t", index, size, leaf, path, root);
      failures.add(what + ": accepted");
    } catch (VerificationException e) {
      if (messagePart != null && !e.getMessage().contains(messagePart)) {
        failures.add(what + ": rejected with '" + e.getMessage() + "', expected '"
            + messagePart + "'");
      }
    }
    return 1;
  }

  private static byte[][] deepCopy(byte[][] path) {
    byte[][] out = new byte[path.length][];
    for (int i = 0; i < path.length; i++) {
      out[i] = path[i].clone();
    }
    return out;
  }
}
