package org.gpuattest.common.merkle;

import org.gpuattest.common.VerificationException;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;

/**
 * Verifies an inclusion proof by every step of RFC 9162 section 2.1.3.2, including the
 * leaf_index < tree_size precheck (step 1), the early failure when the path is longer than the
 * tree allows (step 4a) and the final sn == 0 check (step 5), which some verifiers omit.
 *
 * <p>Before any of those steps, the leaf hash and the root must each be exactly one SHA-256
 * output (32 bytes), as every node of an RFC 6962 section 2.1 tree is. Without that precheck a
 * one-leaf tree, whose proof is empty and whose root is the leaf hash, would accept any two
 * equal byte strings. transparency-dev/merkle refuses a leaf hash of the wrong size before
 * hashing (proof/verify.go, RootFromInclusionProof), and its proof/verify_test.go
 * (TestVerifyInclusionSingleEntry) expects a one-leaf proof whose leaf hash and root are both
 * empty to fail. The contract is docs/protocol.md section 8.2.
 */
public final class InclusionProof {
  private InclusionProof() {}

  /**
   * @param what names the tree in the failure message, e.g. "row 5 of r(1,3)"
   * @throws VerificationException when leafHash or root is not 32 bytes (checked before
   *     anything is hashed), or the path does not lead from leafHash to root
   */
  public static void verify(
      String what, long leafIndex, long treeSize, byte[] leafHash, byte[][] path, byte[] root)
      throws VerificationException {
    requireHashSize(what, "leaf hash", leafHash);
    requireHashSize(what, "root", root);
    if (leafIndex < 0 || leafIndex >= treeSize) { // step 1
      throw new VerificationException(
          what + ": leaf index " + leafIndex + " is not below the tree size " + treeSize);
    }
    long fn = leafIndex; // step 2
    long sn = treeSize - 1;
    byte[] r = leafHash; // step 3
    for (byte[] p : path) { // step 4
      if (p.length != MerkleTree.HASH_BYTES) {
        throw new VerificationException(what + ": audit path entry is " + p.length + " bytes");
      }
      if (sn == 0) { // 4a
        throw new VerificationException(what + ": audit path is longer than the tree allows");
      }
      if ((fn & 1) == 1 || fn == sn) { // 4b
        r = MerkleTree.nodeHash(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        r = MerkleTree.nodeHash(r, p);
      }
      fn >>>= 1; // 4c
      sn >>>= 1;
    }
    if (sn != 0) { // step 5
      throw new VerificationException(what + ": audit path is shorter than the tree needs");
    }
    if (!Bytes.equal(r, root)) {
      throw new VerificationException(
          what + ": audit path leads to " + Hex.encode(r) + ", expected " + Hex.encode(root));
    }
  }

  private static void requireHashSize(String what, String name, byte[] hash)
      throws VerificationException {
    if (hash.length != MerkleTree.HASH_BYTES) {
      throw new VerificationException(
          what + ": " + name + " is " + hash.length + " bytes, not " + MerkleTree.HASH_BYTES);
    }
  }
}
