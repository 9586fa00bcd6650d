package org.gpuattest.validator.check;

import java.time.Instant;
import java.util.Optional;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.validator.GpuProfiles;

/**
 * Everything one verification looks at: what the validator issued and recorded (trusted), and
 * what the prover sent (not trusted beyond what the checks prove).
 */
public record Evidence(
    Challenge challenge,
    byte[] challengeBytes,
    Instant receivedAt,
    OpeningRequest request,
    Commitment commitment,
    Openings openings,
    GpuProfiles profiles,
    Options options) {
  /** What the operator decided: whether CPU commitments may pass, and a pinned prover key. */
  public record Options(boolean allowCpu, Optional<Ed25519PublicKey> pinnedProverKey) {
    public static Options strict() {
      return new Options(false, Optional.empty());
    }
  }

  public Evidence {
    challengeBytes = challengeBytes.clone();
  }

  @Override
  public byte[] challengeBytes() {
    return challengeBytes.clone();
  }

  /** True when every device says it ran the CPU backend; GPU-only checks are then skipped. */
  public boolean cpuBackend() {
    return commitment.devices().stream().allMatch(d -> d.backend().equals(DeviceReport.CPU));
  }

  public Optional<GpuProfiles.Profile> profile() {
    return profiles.find(challenge.model());
  }
}
