package org.gpuattest.common.merkle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 6962 section 2.1 written as the RFC writes it, recursively: MTH(D[n]) splits at k, the
 * largest power of two smaller than n, and PATH(m, D[n]) recurses into the side holding m.
 * Shares no code with {@link MerkleTree}; subtree hashes are memoised per range so every
 * index of a few-hundred-leaf tree stays cheap.
 */
final class MerkleModel {
  private final byte[][] leaves;
  private final Map<Long, byte[]> memo = new HashMap<>();

  MerkleModel(byte[][] leafHashes) {
    this.leaves = leafHashes;
  }

  static int split(int n) {
    int k = 1;
    while (k << 1 < n) {
      k <<= 1;
    }
    return k;
  }

  byte[] root() {
    return mth(0, leaves.length);
  }

  /** MTH of leaves[from, to). */
  byte[] mth(int from, int to) {
    if (to - from == 1) {
      return leaves[from];
    }
    long key = (long) from << 32 | to;
    byte[] cached = memo.get(key);
    if (cached == null) {
      int k = split(to - from);
      cached = node(mth(from, from + k), mth(from + k, to));
      memo.put(key, cached);
    }
    return cached;
  }

  List<byte[]> path(int m) {
    List<byte[]> out = new ArrayList<>();
    path(m, 0, leaves.length, out);
    return out;
  }

  /** PATH(m, D[from:to]), appended leaf side first. */
  private void path(int m, int from, int to, List<byte[]> out) {
    int n = to - from;
    if (n == 1) {
      return;
    }
    int k = split(n);
    if (m - from < k) {
      path(m, from, from + k, out);
      out.add(mth(from + k, to));
    } else {
      path(m, from + k, to, out);
      out.add(mth(from, from + k));
    }
  }

  static byte[] leaf(byte[] data) {
    MessageDigest md = sha256();
    md.update((byte) 0x00);
    return md.digest(data);
  }

  static byte[] node(byte[] left, byte[] right) {
    MessageDigest md = sha256();
    md.update((byte) 0x01);
    md.update(left);
    return md.digest(right);
  }

  /** Distinct leaf hashes for a tree of m leaves; the data names the size and the index. */
  static byte[][] leaves(int m) {
    byte[][] out = new byte[m][];
    for (int i = 0; i < m; i++) {
      out[i] = leaf(("leaf " + i + " of " + m).getBytes(StandardCharsets.US_ASCII));
    }
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
