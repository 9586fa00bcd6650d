package org.gpuattest.common.spec;

import java.security.MessageDigest;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.util.Bytes;

/**
 * The Merkle leaf of one row of C: row i's data is its n elements as little-endian binary64
 * (8n bytes), hashed as an RFC 6962 leaf. Spec: canonical-v1, "Commitments".
 */
public final class RowHash {
  private RowHash() {}

  /** Leaf hash SHA-256(0x00 || LE64(c[off]) || ... || LE64(c[off+n-1])). */
  public static byte[] leaf(double[] c, int off, int n) {
    return leaf(Bytes.sha256(), new byte[8 * n], c, off, n);
  }

  /** As {@link #leaf(double[], int, int)} reusing a digest and a scratch buffer of 8n bytes. */
  public static byte[] leaf(MessageDigest md, byte[] scratch, double[] c, int off, int n) {
    for (int j = 0; j < n; j++) {
      Bytes.putLe64(scratch, 8 * j, Double.doubleToRawLongBits(c[off + j]));
    }
    md.reset();
    md.update(MerkleTree.LEAF_PREFIX);
    md.update(scratch, 0, 8 * n);
    return md.digest();
  }

  /** The n row leaves of an n x n matrix C. */
  public static byte[][] rowLeaves(double[] c, int n) {
    MessageDigest md = Bytes.sha256();
    byte[] scratch = new byte[8 * n];
    byte[][] leaves = new byte[n][];
    for (int i = 0; i < n; i++) {
      leaves[i] = leaf(md, scratch, c, i * n, n);
    }
    return leaves;
  }
}
