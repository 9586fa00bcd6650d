package org.gpuattest.common.spec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.util.Bytes;

/**
 * The memory phase of canonical-v1 (docs/protocol.md §2.2): after its commitment a prover keeps
 * the products C(g, t) of the kept iterations t in K and, once the validator's memory seed has
 * arrived, runs P passes over them. Pass p of device g takes the vector v_p of n elements from
 * Philox under a key derived from the seed and the root of pass p - 1 (the device root R(g) for
 * p = 0), so no pass can start before the previous one has ended; computes y_p(t) = C(g, t) x
 * v_p for every kept t, each element the ascending FMA chain from +0.0 over its row; and
 * commits them in two levels of RFC 6962 trees, as rows and matrices are committed:
 *
 * <pre>
 *   leaf of y_p(t)[i]   SHA-256(0x00 || LE64(bits of y_p(t)[i]))
 *   s_p(g, t)           MTH over the n leaves of y_p(t), i ascending       (the vector root)
 *   m_p(g)              MTH over K leaves, leaf k's data s_p(g, first + k)  (the memory root)
 * </pre>
 *
 * A validator checks one y_p(t)[i] from row i of C(g, t), which it recomputes for the product
 * check anyway: one dot product, its leaf and two audit paths.
 */
public final class MemoryPass {
  private static final byte[] KEY_DOMAIN = "memory-vector/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DIGEST_DOMAIN = "memory/v1".getBytes(StandardCharsets.US_ASCII);

  private MemoryPass() {}

  /**
   * The Philox key of pass p on device g: H = SHA-256("memory-vector/v1" || seed || LE32(g) ||
   * LE32(p) || previous), k0 = LE32(H[0..4]), k1 = LE32(H[4..8]).
   *
   * @param previous m_{p-1}(g), or R(g) for the first pass
   */
  public static PhiloxKey key(byte[] memorySeed, int g, int p, byte[] previous) {
    if (memorySeed.length != PhiloxKey.SEED_BYTES || previous.length != MerkleTree.HASH_BYTES) {
      throw new IllegalArgumentException("the memory seed and the previous root are 32 bytes,"
          + " got " + memorySeed.length + " and " + previous.length);
    }
    byte[] h = Bytes.sha256(KEY_DOMAIN, memorySeed, Bytes.le32(g), Bytes.le32(p), previous);
    return new PhiloxKey(Bytes.le32(h, 0), Bytes.le32(h, 4));
  }

  /** v_p for device g's pass p (docs/protocol.md §2.2): {@link Operands#memoryVector}. */
  public static double[] vector(byte[] memorySeed, int g, int p, byte[] previous, int n) {
    return Operands.memoryVector(key(memorySeed, g, p, previous), n);
  }

  /**
   * y[i] for rows i in [0, rows) of c (row-major, row length n, from {@code cOff}): the chain
   * acc = +0.0; for j = 0..n-1: acc = fma(C[i][j], v[j], acc), into y[yOff + i].
   */
  public static void multiply(double[] c, int cOff, int rows, int n, double[] v, double[] y,
      int yOff) {
    for (int i = 0; i < rows; i++) {
      y[yOff + i] = dot(c, cOff + i * n, n, v);
    }
  }

  /** One element: the ascending FMA chain from +0.0 of row[off..off+n) with v. */
  public static double dot(double[] row, int off, int n, double[] v) {
    double acc = 0.0;
    for (int j = 0; j < n; j++) {
      acc = Math.fma(row[off + j], v[j], acc);
    }
    return acc;
  }

  /** The leaf hash of one element: SHA-256(0x00 || LE64(its bits)). */
  public static byte[] leaf(double y) {
    return leaf(Bytes.sha256(), new byte[8], y);
  }

  private static byte[] leaf(MessageDigest md, byte[] scratch, double y) {
    Bytes.putLe64(scratch, 0, Double.doubleToRawLongBits(y));
    md.reset();
    md.update(MerkleTree.LEAF_PREFIX);
    md.update(scratch);
    return md.digest();
  }

  /** The n leaf hashes of y[off..off+n). */
  public static byte[][] leaves(double[] y, int off, int n) {
    MessageDigest md = Bytes.sha256();
    byte[] scratch = new byte[8];
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      out[i] = leaf(md, scratch, y[off + i]);
    }
    return out;
  }

  /** s_p(g, t): MTH over the n leaves of y[off..off+n). */
  public static byte[] vectorRoot(double[] y, int off, int n) {
    return MerkleTree.root(leaves(y, off, n));
  }

  /** The K leaf hashes of the memory tree: SHA-256(0x00 || s_p(g, t)) for each kept t. */
  public static byte[][] vectorRootLeaves(byte[][] vectorRoots) {
    return Reference.matrixRootLeaves(vectorRoots);
  }

  /** m_p(g): MTH over the K vector roots, each a leaf's 32 bytes of data. */
  public static byte[] memoryRoot(byte[][] vectorRoots) {
    return MerkleTree.root(vectorRootLeaves(vectorRoots));
  }

  /**
   * SHA-256("memory/v1" || commitment digest || memory seed || LE32(G) || LE32(P) || m_0(0) ||
   * ... || m_{P-1}(0) || m_0(1) || ... || m_{P-1}(G-1)): what the memory answer commits to,
   * and what the passes opened are drawn with (docs/protocol.md §7).
   *
   * @param roots m_p(g) by device, then pass; every device has the same P
   */
  public static byte[] digest(byte[] commitmentDigest, byte[] memorySeed, List<byte[][]> roots) {
    MessageDigest md = Bytes.sha256();
    md.update(DIGEST_DOMAIN);
    md.update(commitmentDigest);
    md.update(memorySeed);
    md.update(Bytes.le32(roots.size()));
    int passes = roots.isEmpty() ? 0 : roots.get(0).length;
    md.update(Bytes.le32(passes));
    for (byte[][] device : roots) {
      if (device.length != passes) {
        throw new IllegalArgumentException("every device has " + passes + " pass roots, one has "
            + device.length);
      }
      for (byte[] r : device) {
        md.update(r);
      }
    }
    return md.digest();
  }

  /**
   * The whole pass p on one device from its kept products, straight from the definition: the
   * model the backends are tested against (not fast).
   *
   * @param kept C(g, t) for each kept t in order, each n x n row-major
   * @return the vector roots s_p(g, t), in the same order
   */
  public static byte[][] vectorRoots(List<double[]> kept, int n, double[] v) {
    byte[][] out = new byte[kept.size()][];
    double[] y = new double[n];
    for (int k = 0; k < out.length; k++) {
      multiply(kept.get(k), 0, n, n, v, y, 0);
      out[k] = vectorRoot(y, 0, n);
    }
    return out;
  }
}
