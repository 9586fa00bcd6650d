package org.gpuattest.common.spec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.gpuattest.common.util.Bytes;

/**
 * canonical-v1, "Commitments": SHA-256("commitment/v1" || challenge_digest || LE32(G) || R(0)
 * || ... || R(G-1)), where challenge_digest is SHA-256 of the challenge's exact decoded bytes.
 */
public final class CommitmentDigest {
  private static final byte[] DOMAIN = "commitment/v1".getBytes(StandardCharsets.US_ASCII);

  private CommitmentDigest() {}

  public static byte[] challengeDigest(byte[] challengeBytes) {
    return Bytes.sha256(challengeBytes);
  }

  public static byte[] of(byte[] challengeDigest, List<byte[]> deviceRoots) {
    MessageDigest md = Bytes.sha256();
    md.update(DOMAIN);
    md.update(challengeDigest);
    md.update(Bytes.le32(deviceRoots.size()));
    for (byte[] r : deviceRoots) {
      md.update(r);
    }
    return md.digest();
  }
}
