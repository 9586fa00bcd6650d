package org.gpuattest.common.util;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Little-endian encodings and SHA-256, as the spec writes them (LE32, LE64, SHA-256). */
public final class Bytes {
  private Bytes() {}

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  public static byte[] sha256(byte[]... parts) {
    MessageDigest md = sha256();
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  public static int le32(byte[] b, int off) {
    return (b[off] & 0xFF)
        | (b[off + 1] & 0xFF) << 8
        | (b[off + 2] & 0xFF) << 16
        | (b[off + 3] & 0xFF) << 24;
  }

  public static byte[] le32(int v) {
    return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
  }

  public static void putLe64(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  /** Constant-time equality for digests (Tink's rule: never Arrays.equals on secrets or MACs). */
  public static boolean equal(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
