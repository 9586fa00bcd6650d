package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.crypto.Transcript;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.util.Hex;

/**
 * What the validator asks for (docs/protocol.md, "Challenge"): a fresh id and seed, the
 * matrix size n, iterations T, the device count G and model claimed, a validity window, the
 * number of rows it will open, optionally the memory phase it asks for ({@link ChallengeMemory})
 * and optionally its own Ed25519 key and signature.
 */
public record Challenge(
    @JsonProperty(required = true) int version,
    String id,
    String seed,
    @JsonProperty(required = true) int dim,
    @JsonProperty(required = true) int iterations,
    @JsonProperty(required = true) int devices,
    String model,
    String issuedAt,
    String expiresAt,
    @JsonProperty(required = true) int samples,
    ChallengeMemory memory,
    String validatorPublicKey,
    String signature) {
  public static final int ID_BYTES = 16;
  static final String SIGNING_DOMAIN = "challenge-signature/v1";
  /** The transcript tag before the optional memory terms (docs/protocol.md §5). */
  static final String MEMORY_TAG = "memory";

  public Challenge {
    Limits.version("challenge", version);
    Hex.decode("id", id, ID_BYTES);
    Hex.decode("seed", seed, PhiloxKey.SEED_BYTES);
    Limits.work(dim, iterations, devices);
    Limits.text("model", model);
    Instant issued = instant("issuedAt", issuedAt);
    Instant expires = instant("expiresAt", expiresAt);
    if (!expires.isAfter(issued)) {
      throw new IllegalArgumentException("expiresAt must be after issuedAt");
    }
    if (java.time.Duration.between(issued, expires).compareTo(
        java.time.Duration.ofSeconds(Limits.MAX_LIFETIME_SECONDS)) > 0) {
      throw new IllegalArgumentException("expiresAt must be at most "
          + Limits.MAX_LIFETIME_SECONDS + " s (7 days) after issuedAt, got " + expiresAt);
    }
    Limits.range("samples", samples, 1, Limits.MAX_SAMPLES);
    if (memory != null) {
      memory.checkWithin(iterations, devices);
    }
    if ((validatorPublicKey == null) != (signature == null)) {
      throw new IllegalArgumentException("validatorPublicKey and signature come together");
    }
    if (validatorPublicKey != null) {
      Limits.text("validatorPublicKey", validatorPublicKey);
      Limits.text("signature", signature);
    }
  }

  /** A challenge without a memory phase (docs/protocol.md §2.2), as before it existed. */
  public Challenge(int version, String id, String seed, int dim, int iterations, int devices,
      String model, String issuedAt, String expiresAt, int samples, String validatorPublicKey,
      String signature) {
    this(version, id, seed, dim, iterations, devices, model, issuedAt, expiresAt, samples, null,
        validatorPublicKey, signature);
  }

  /** Parses an ISO-8601 instant field; IllegalArgumentException naming the field. */
  public static Instant instant(String field, String text) {
    Limits.text(field, text);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " is not an ISO-8601 instant: '" + text + "'");
    }
  }

  @JsonIgnore
  public byte[] seedBytes() {
    return Hex.decode("seed", seed, PhiloxKey.SEED_BYTES);
  }

  @JsonIgnore
  public PhiloxKey philoxKey() {
    return PhiloxKey.fromSeed(seedBytes());
  }

  @JsonIgnore
  public Instant issued() {
    return Instant.parse(issuedAt);
  }

  @JsonIgnore
  public Instant expires() {
    return Instant.parse(expiresAt);
  }

  /** Rows in all matrices of all devices: the population samples are drawn from. */
  @JsonIgnore
  public long totalRows() {
    return (long) devices * iterations * dim;
  }

  /**
   * The bytes the validator's signature covers; every field but the signature. The memory
   * terms came after version 1 was first published: they enter only when present, after the
   * fields above and behind their own tag, so a challenge without them signs the bytes it
   * always did.
   */
  @JsonIgnore
  public byte[] signingBytes() {
    Transcript t = new Transcript(SIGNING_DOMAIN)
        .str(id)
        .str(seed)
        .u32(dim)
        .u32(iterations)
        .u32(devices)
        .str(model)
        .str(issuedAt)
        .str(expiresAt)
        .u32(samples)
        .str(validatorPublicKey);
    if (memory != null) {
      t.str(MEMORY_TAG).u32(memory.version()).u32(memory.kept()).u32(memory.passes());
    }
    return t.toByteArray();
  }

  public Challenge signedBy(Ed25519PrivateKey key) {
    Challenge unsigned = new Challenge(version, id, seed, dim, iterations, devices, model,
        issuedAt, expiresAt, samples, memory, key.publicKey().toPem(), "pending");
    String sig = Base64.getEncoder().encodeToString(key.sign(unsigned.signingBytes()));
    return new Challenge(version, id, seed, dim, iterations, devices, model, issuedAt,
        expiresAt, samples, memory, unsigned.validatorPublicKey, sig);
  }

  /** Checks the validator's signature, if the challenge carries one. */
  public void verifySignature() throws VerificationException {
    if (validatorPublicKey == null) {
      return;
    }
    Ed25519PublicKey key;
    try {
      key = Ed25519PublicKey.fromPem("challenge validatorPublicKey", validatorPublicKey);
    } catch (BadMessageException e) {
      throw new VerificationException(e.getMessage());
    }
    key.verify("challenge signature", signingBytes(), signature);
  }
}
