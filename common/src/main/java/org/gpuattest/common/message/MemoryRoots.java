package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Transcript;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.util.Hex;

/**
 * The prover's answer to a memory seed (docs/protocol.md §3.2, §4.9): the memory roots m_p(g)
 * of every pass on every device, bound to the challenge, the commitment and the seed answered,
 * with the memory digest of canonical-v1 (§2.2), signed with the commitment's key. The
 * validator's clock for the memory phase stops when it arrives.
 */
public record MemoryRoots(
    @JsonProperty(required = true) int version,
    String challengeDigest,
    String commitmentDigest,
    String memorySeed,
    List<DeviceMemoryRoots> devices,
    String memoryDigest,
    String proverPublicKey,
    String signature) {
  static final String SIGNING_DOMAIN = "memory-signature/v1";

  public MemoryRoots {
    Limits.version("memory roots", version);
    Hex.decode("challengeDigest", challengeDigest, 32);
    Hex.decode("commitmentDigest", commitmentDigest, 32);
    Hex.decode("memorySeed", memorySeed, PhiloxKey.SEED_BYTES);
    Limits.required("devices", devices);
    Limits.range("devices (count)", devices.size(), 1, Limits.MAX_DEVICES);
    for (int i = 0; i < devices.size(); i++) {
      Limits.required("devices[" + i + "]", devices.get(i));
    }
    devices = List.copyOf(devices);
    Hex.decode("memoryDigest", memoryDigest, 32);
    Limits.text("proverPublicKey", proverPublicKey);
    Limits.text("signature", signature);
  }

  /** Builds and signs the answer; the digest is computed here, never taken from a caller. */
  public static MemoryRoots sign(byte[] challengeDigest, byte[] commitmentDigest,
      byte[] memorySeed, byte[][][] roots, Ed25519PrivateKey key) {
    List<DeviceMemoryRoots> devices = new ArrayList<>();
    List<byte[][]> all = new ArrayList<>();
    for (int g = 0; g < roots.length; g++) {
      List<String> hex = new ArrayList<>();
      for (byte[] r : roots[g]) {
        hex.add(Hex.encode(r));
      }
      devices.add(new DeviceMemoryRoots(g, hex));
      all.add(roots[g]);
    }
    byte[] digest = MemoryPass.digest(commitmentDigest, memorySeed, all);
    MemoryRoots unsigned = new MemoryRoots(1, Hex.encode(challengeDigest),
        Hex.encode(commitmentDigest), Hex.encode(memorySeed), devices, Hex.encode(digest),
        key.publicKey().toPem(), "pending");
    String sig = Base64.getEncoder().encodeToString(key.sign(unsigned.signingBytes()));
    return unsigned.withSignature(sig);
  }

  public MemoryRoots withSignature(String sig) {
    return new MemoryRoots(version, challengeDigest, commitmentDigest, memorySeed, devices,
        memoryDigest, proverPublicKey, sig);
  }

  /**
   * The memory digest recomputed from this message's own roots, as device index order lists
   * them; the roots of every device must number alike.
   *
   * @throws IllegalArgumentException the devices have different numbers of roots
   */
  @JsonIgnore
  public byte[] recomputedDigest() {
    List<byte[][]> all = new ArrayList<>();
    for (DeviceMemoryRoots d : devices) {
      all.add(d.rootBytes());
    }
    return MemoryPass.digest(Hex.decode("commitmentDigest", commitmentDigest, 32),
        Hex.decode("memorySeed", memorySeed, 32), all);
  }

  @JsonIgnore
  public byte[] memoryDigestBytes() {
    return Hex.decode("memoryDigest", memoryDigest, 32);
  }

  /** Everything but the signature, in the transcript encoding of docs/protocol.md §5. */
  @JsonIgnore
  public byte[] signingBytes() {
    Transcript t = new Transcript(SIGNING_DOMAIN)
        .bytes(Hex.decode("challengeDigest", challengeDigest, 32))
        .bytes(Hex.decode("commitmentDigest", commitmentDigest, 32))
        .bytes(Hex.decode("memorySeed", memorySeed, 32))
        .bytes(Hex.decode("memoryDigest", memoryDigest, 32))
        .u32(devices.size());
    for (DeviceMemoryRoots d : devices) {
      t.u32(d.index()).u32(d.roots().size());
      for (String r : d.roots()) {
        t.bytes(Hex.decode("root", r, 32));
      }
    }
    return t.str(proverPublicKey).toByteArray();
  }
}
