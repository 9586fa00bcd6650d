package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.gpuattest.common.Limits;
import org.gpuattest.common.util.Hex;

/**
 * The prover's answer to a {@link Preparation} (docs/protocol.md §3.2): it has opened its
 * backend and allocated on its G devices, and waits for the seed.
 */
public record Ready(
    @JsonProperty(required = true) int version,
    String challengeId,
    @JsonProperty(required = true) int devices) {
  public Ready {
    Limits.version("ready", version);
    Hex.decode("challengeId", challengeId, Challenge.ID_BYTES);
    Limits.range("devices", devices, 1, Limits.MAX_DEVICES);
  }
}
