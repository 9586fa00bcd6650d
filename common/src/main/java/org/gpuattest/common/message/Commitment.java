package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Transcript;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.util.Hex;

/**
 * The prover's answer to a challenge (docs/protocol.md, "Commitment"): the digest of the
 * challenge it answers, one report per device with its root R(g), optionally the time its own
 * CPU work took on the validator's clock ({@code proverCpuNanos}), the commitment digest of
 * canonical-v1 "Commitments", and the prover's Ed25519 key and signature over all of it.
 */
public record Commitment(
    @JsonProperty(required = true) int version,
    String challengeDigest,
    List<DeviceReport> devices,
    Long proverCpuNanos,
    String commitmentDigest,
    String proverPublicKey,
    String signature) {
  static final String SIGNING_DOMAIN = "commitment-signature/v1";
  /** The tag before proverCpuNanos in the transcript, present only with the field (§5). */
  static final String PROVER_CPU_TAG = "proverCpuNanos";

  public Commitment {
    Limits.version("commitment", version);
    Hex.decode("challengeDigest", challengeDigest, 32);
    Limits.required("devices", devices);
    Limits.range("devices (count)", devices.size(), 1, Limits.MAX_DEVICES);
    for (int i = 0; i < devices.size(); i++) {
      Limits.required("devices[" + i + "]", devices.get(i));
    }
    devices = List.copyOf(devices);
    if (proverCpuNanos != null && proverCpuNanos < 0) {
      throw new IllegalArgumentException("proverCpuNanos must not be negative, got "
          + proverCpuNanos);
    }
    Hex.decode("commitmentDigest", commitmentDigest, 32);
    Limits.text("proverPublicKey", proverPublicKey);
    Limits.text("signature", signature);
  }

  /** Builds and signs a commitment; the digest is computed here, never taken from a caller. */
  public static Commitment sign(
      byte[] challengeDigest, List<DeviceReport> devices, Ed25519PrivateKey key) {
    return sign(challengeDigest, devices, null, key);
  }

  /**
   * As {@link #sign(byte[], List, Ed25519PrivateKey)}, reporting {@code proverCpuNanos} (null
   * for none): the prover's own CPU work inside the timing window, up to signing.
   */
  public static Commitment sign(byte[] challengeDigest, List<DeviceReport> devices,
      Long proverCpuNanos, Ed25519PrivateKey key) {
    List<byte[]> roots = new ArrayList<>();
    for (DeviceReport d : devices) {
      roots.add(d.rootBytes());
    }
    byte[] digest = CommitmentDigest.of(challengeDigest, roots);
    Commitment unsigned = new Commitment(1, Hex.encode(challengeDigest), devices,
        proverCpuNanos, Hex.encode(digest), key.publicKey().toPem(), "pending");
    String sig = Base64.getEncoder().encodeToString(key.sign(unsigned.signingBytes()));
    return unsigned.withSignature(sig);
  }

  public Commitment withSignature(String sig) {
    return new Commitment(version, challengeDigest, devices, proverCpuNanos, commitmentDigest,
        proverPublicKey, sig);
  }

  /** The digest canonical-v1 defines, recomputed from this message's own roots. */
  @JsonIgnore
  public byte[] recomputedDigest() {
    List<byte[]> roots = new ArrayList<>();
    for (DeviceReport d : devices) {
      roots.add(d.rootBytes());
    }
    return CommitmentDigest.of(Hex.decode("challengeDigest", challengeDigest, 32), roots);
  }

  /**
   * Everything but the signature, in the transcript encoding of docs/protocol.md §5. An
   * optional field is appended only when present, behind its own tag, so a commitment without
   * it has the same transcript, and its signature verifies, as before the field existed.
   */
  @JsonIgnore
  public byte[] signingBytes() {
    Transcript t = new Transcript(SIGNING_DOMAIN)
        .bytes(Hex.decode("challengeDigest", challengeDigest, 32))
        .bytes(Hex.decode("commitmentDigest", commitmentDigest, 32))
        .u32(devices.size());
    for (DeviceReport d : devices) {
      d.writeTo(t);
    }
    t.str(proverPublicKey);
    if (proverCpuNanos != null) {
      t.str(PROVER_CPU_TAG).u64(proverCpuNanos);
    }
    return t.toByteArray();
  }
}
