package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.util.Hex;

/**
 * The prover's answer to a {@link Preparation} (docs/protocol.md §3.2, §4.7): it has opened its
 * backend and allocated on its G devices, and waits for the seed. It also says which backend
 * it opened and the name each device's driver reports, so that a validator can refuse a CPU
 * (or another model) at once, before the seed leaves, instead of after the whole timing window.
 * These two come together and are optional (provers from before them send neither); being
 * unsigned, they only let the validator fail early: the signed commitment is still checked.
 */
public record Ready(
    @JsonProperty(required = true) int version,
    String challengeId,
    @JsonProperty(required = true) int devices,
    String backend,
    List<String> deviceNames) {
  public Ready {
    Limits.version("ready", version);
    Hex.decode("challengeId", challengeId, Challenge.ID_BYTES);
    Limits.range("devices", devices, 1, Limits.MAX_DEVICES);
    if ((backend == null) != (deviceNames == null)) {
      throw new IllegalArgumentException("backend and deviceNames come together");
    }
    if (backend != null) {
      if (!backend.equals(DeviceReport.CUDA) && !backend.equals(DeviceReport.CPU)) {
        throw new IllegalArgumentException("backend must be 'cuda' or 'cpu'");
      }
      deviceNames = List.copyOf(deviceNames);
      if (deviceNames.size() != devices) {
        throw new IllegalArgumentException("deviceNames must have one name per device ("
            + devices + "), has " + deviceNames.size());
      }
      deviceNames.forEach(n -> Limits.text("deviceNames[]", n));
    }
  }

  /** A ready answer without the backend and names, as provers before them sent it. */
  public Ready(int version, String challengeId, int devices) {
    this(version, challengeId, devices, null, null);
  }

  /** A ready answer for {@code challengeId} on the devices named, opened by {@code backend}. */
  public static Ready of(String challengeId, String backend, List<String> deviceNames) {
    return new Ready(1, challengeId, deviceNames.size(), backend, deviceNames);
  }
}
