package org.gpuattest.common.merkle;

import java.security.MessageDigest;
import org.gpuattest.common.util.Bytes;

/**
 * The Merkle Tree Hash of RFC 6962 section 2.1 (restated in RFC 9162 section 2.1.1) over leaf
 * hashes, and the audit path of RFC 6962 section 2.1.1 (RFC 9162 section 2.1.3.1).
 *
 * <p>Design: the RFC defines MTH recursively by splitting m leaves at the largest power of two
 * below m. Built bottom-up, pairing neighbours and carrying a lone last node up unchanged, gives
 * the same tree [1]; it needs no recursion and one pass per level. The model test checks the
 * two forms agree for every size up to a few hundred.
 *
 * <p>[1] RFC 9162, section 2.1.1; the "promote the odd node" construction is the one the
 * certificate-transparency implementations use.
 */
public final class MerkleTree {
  public static final byte[] LEAF_PREFIX = {0x00};
  public static final byte[] NODE_PREFIX = {0x01};
  public static final int HASH_BYTES = 32;

  private MerkleTree() {}

  /** SHA-256(0x00 || data). */
  public static byte[] leafHash(byte[] data) {
    return Bytes.sha256(LEAF_PREFIX, data);
  }

  /** SHA-256(0x01 || left || right). */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest md = Bytes.sha256();
    md.update(NODE_PREFIX);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /** MTH over the given leaf hashes (m >= 1). */
  public static byte[] root(byte[][] leafHashes) {
    if (leafHashes.length == 0) {
      throw new IllegalArgumentException("a tree needs at least one leaf");
    }
    byte[][] level = leafHashes.clone();
    int m = level.length;
    while (m > 1) {
      int next = 0;
      for (int i = 0; i < m; i += 2) {
        level[next++] = i + 1 < m ? nodeHash(level[i], level[i + 1]) : level[i];
      }
      m = next;
    }
    return level[0].clone();
  }

  /** PATH(index, D[m]): the sibling hashes from the leaf up to the root, leaf side first. */
  public static byte[][] auditPath(int index, byte[][] leafHashes) {
    int m = leafHashes.length;
    if (index < 0 || index >= m) {
      throw new IllegalArgumentException("leaf index " + index + " outside a tree of " + m);
    }
    byte[][] level = leafHashes.clone();
    java.util.List<byte[]> path = new java.util.ArrayList<>();
    int idx = index;
    while (m > 1) {
      int sibling = idx ^ 1;
      if (sibling < m) {
        path.add(level[sibling].clone());
      }
      int next = 0;
      for (int i = 0; i < m; i += 2) {
        level[next++] = i + 1 < m ? nodeHash(level[i], level[i + 1]) : level[i];
      }
      m = next;
      idx >>>= 1;
    }
    return path.toArray(new byte[0][]);
  }
}
