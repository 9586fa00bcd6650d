package org.gpuattest.validator.check;

import java.time.Instant;
import java.util.Optional;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MemoryRoots;
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
    Options options,
    ClockStart clock,
    Memory memory) {
  /**
   * The memory phase as the validator recorded it (docs/protocol.md section 3.2): the seed it
   * drew and sent at {@code sentAt} on its clock, and the prover's memory roots, which arrived
   * at {@code receivedAt}. Null in evidence whose challenge has no memory phase.
   */
  public record Memory(byte[] seed, Instant sentAt, Instant receivedAt, MemoryRoots roots) {
    public Memory {
      seed = seed.clone();
    }

    @Override
    public byte[] seed() {
      return seed.clone();
    }
  }

  /** Evidence without a memory phase. */
  public Evidence(Challenge challenge, byte[] challengeBytes, Instant receivedAt,
      OpeningRequest request, Commitment commitment, Openings openings, GpuProfiles profiles,
      Options options, ClockStart clock) {
    this(challenge, challengeBytes, receivedAt, request, commitment, openings, profiles,
        options, clock, null);
  }

  /**
   * Where the validator's clock started for this commitment, and how: after a ready/go start
   * (the prover prepared first, the seed left at {@code at}, and {@code roundTripSeconds} is the
   * round trip the validator measured), or at the challenge's issue, with the prover's start-up
   * inside the window ({@code roundTripSeconds} null).
   */
  public record ClockStart(Instant at, Double roundTripSeconds) {
    public static ClockStart separate(Instant issued) {
      return new ClockStart(issued, null);
    }

    public static ClockStart interactive(Instant goSent, double roundTripSeconds) {
      return new ClockStart(goSent, roundTripSeconds);
    }

    /** True when start-up happened before the clock started (a ready/go start). */
    public boolean startupOutside() {
      return roundTripSeconds != null;
    }
  }

  /** Evidence from the separate-command flow: the clock started when the challenge was issued. */
  public Evidence(Challenge challenge, byte[] challengeBytes, Instant receivedAt,
      OpeningRequest request, Commitment commitment, Openings openings, GpuProfiles profiles,
      Options options) {
    this(challenge, challengeBytes, receivedAt, request, commitment, openings, profiles, options,
        ClockStart.separate(challenge.issued()));
  }
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
