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
    return auditPaths(new int[] {index}, leafHashes)[0];
  }

  /**
   * PATH(index, D[m]) for several indices, building the tree once: opening k rows of one
   * matrix costs m hashes, not k x m.
   */
  public static byte[][][] auditPaths(int[] indices, byte[][] leafHashes) {
    int m = leafHashes.length;
    @SuppressWarnings("unchecked")
    java.util.List<byte[]>[] paths = new java.util.List[indices.length];
    int[] idx = indices.clone();
    for (int k = 0; k < idx.length; k++) {
      if (idx[k] < 0 || idx[k] >= m) {
        throw new IllegalArgumentException("leaf index " + idx[k] + " outside a tree of " + m);
      }
      paths[k] = new java.util.ArrayList<>();
    }
    byte[][] level = leafHashes.clone();
    while (m > 1) {
      for (int k = 0; k < idx.length; k++) {
        int sibling = idx[k] ^ 1;
        if (sibling < m) {
          paths[k].add(level[sibling].clone());
        }
        idx[k] >>>= 1;
      }
      int next = 0;
      for (int i = 0; i < m; i += 2) {
        level[next++] = i + 1 < m ? nodeHash(level[i], level[i + 1]) : level[i];
      }
      m = next;
    }
    byte[][][] out = new byte[indices.length][][];
    for (int k = 0; k < out.length; k++) {
      out[k] = paths[k].toArray(new byte[0][]);
    }
    return out;
  }
}
