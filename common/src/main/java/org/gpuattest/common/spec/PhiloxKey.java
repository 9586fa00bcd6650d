package org.gpuattest.common.spec;

import java.nio.charset.StandardCharsets;
import org.gpuattest.common.util.Bytes;

/**
 * The Philox key of one challenge: H = SHA-256("philox-key/v1" || seed), k0 = LE32(H[0..4]),
 * k1 = LE32(H[4..8]). Spec: canonical-v1, "Philox4x32-10".
 */
public record PhiloxKey(int k0, int k1) {
  private static final byte[] DOMAIN = "philox-key/v1".getBytes(StandardCharsets.US_ASCII);
  public static final int SEED_BYTES = 32;

  public static PhiloxKey fromSeed(byte[] seed) {
    if (seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("seed must be 32 bytes, got " + seed.length);
    }
    byte[] h = Bytes.sha256(DOMAIN, seed);
    return new PhiloxKey(Bytes.le32(h, 0), Bytes.le32(h, 4));
  }
}
