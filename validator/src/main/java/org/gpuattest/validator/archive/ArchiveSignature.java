package org.gpuattest.validator.archive;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Base64;
import org.gpuattest.common.Limits;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.crypto.Transcript;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;

/**
 * signature.json of one archived exchange (docs/protocol.md section 8.5,
 * testdata/schemas/archive-signature.schema.json): the validator's Ed25519 signature over the
 * SHA-256 of each of the exchange's other files, so that an edit to any of them, or to this
 * file, shows. {@code validatorKeyId} names the key for people; the check compares the whole
 * key ({@link ArchiveTrust}).
 */
public record ArchiveSignature(
    @JsonProperty(required = true) int version,
    String validatorPublicKey,
    String validatorKeyId,
    Digests sha256,
    String signature) {
  static final String SIGNING_DOMAIN = "archive-signature/v1";
  private static final int SHA256_BYTES = 32;

  /**
   * SHA-256 of the exchange's files, lower-case hex; {@code openings} null when openings.b64 is
   * absent (the prover failed before it answered).
   */
  public record Digests(String record, String session, String openings, String verdict) {
    public Digests {
      Hex.decode("sha256.record", record, SHA256_BYTES);
      Hex.decode("sha256.session", session, SHA256_BYTES);
      if (openings != null) {
        Hex.decode("sha256.openings", openings, SHA256_BYTES);
      }
      Hex.decode("sha256.verdict", verdict, SHA256_BYTES);
    }

    static Digests of(byte[] record, byte[] session, byte[] openings, byte[] verdict) {
      return new Digests(sha(record), sha(session), openings == null ? null : sha(openings),
          sha(verdict));
    }

    private static String sha(byte[] b) {
      return Hex.encode(Bytes.sha256(b));
    }
  }

  public ArchiveSignature {
    Limits.version("archive signature", version);
    Limits.text("validatorPublicKey", validatorPublicKey);
    Limits.text("validatorKeyId", validatorKeyId);
    Limits.required("sha256", sha256);
    Limits.text("signature", signature);
  }

  /** Signs the digests with the validator's key. */
  static ArchiveSignature sign(Ed25519PrivateKey key, Digests digests) {
    Ed25519PublicKey pub = key.publicKey();
    ArchiveSignature unsigned = new ArchiveSignature(1, pub.toPem(), pub.keyId(), digests,
        "pending");
    return new ArchiveSignature(1, unsigned.validatorPublicKey, unsigned.validatorKeyId,
        digests, Base64.getEncoder().encodeToString(key.sign(unsigned.signingBytes())));
  }

  /**
   * The transcript (docs/protocol.md section 5), domain {@value #SIGNING_DOMAIN}: each file's
   * digest as 32 bytes, in the order record, session, openings (empty when absent), verdict,
   * then the key's PEM text.
   */
  @JsonIgnore
  byte[] signingBytes() {
    return new Transcript(SIGNING_DOMAIN)
        .bytes(Hex.decode("sha256.record", sha256.record(), SHA256_BYTES))
        .bytes(Hex.decode("sha256.session", sha256.session(), SHA256_BYTES))
        .bytes(sha256.openings() == null ? new byte[0]
            : Hex.decode("sha256.openings", sha256.openings(), SHA256_BYTES))
        .bytes(Hex.decode("sha256.verdict", sha256.verdict(), SHA256_BYTES))
        .str(validatorPublicKey)
        .toByteArray();
  }
}
