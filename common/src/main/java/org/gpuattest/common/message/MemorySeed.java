package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.gpuattest.common.Limits;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.util.Hex;

/**
 * The validator's memory seed (docs/protocol.md §3.2, §4.8): drawn only once the commitment has
 * arrived and sent at once, the validator's clock for the memory phase starting as it leaves.
 * Bound to the commitment it follows; unsigned, since only the validator's own record of it
 * (its session) is ever checked against.
 */
public record MemorySeed(
    @JsonProperty(required = true) int version,
    String commitmentDigest,
    String seed) {
  public MemorySeed {
    Limits.version("memory seed", version);
    Hex.decode("commitmentDigest", commitmentDigest, 32);
    Hex.decode("seed", seed, PhiloxKey.SEED_BYTES);
  }

  @JsonIgnore
  public byte[] seedBytes() {
    return Hex.decode("seed", seed, PhiloxKey.SEED_BYTES);
  }
}
