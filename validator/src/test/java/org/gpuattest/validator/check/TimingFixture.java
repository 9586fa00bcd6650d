package org.gpuattest.validator.check;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.TimingWindow;

/**
 * Timing evidence built directly, with explicit instants: a challenge the issuer really issued,
 * a commitment signed over H100-looking device reports (distinct UUIDs, cuda backend) whatever
 * did the work, and the validator's clock started at a ready/go start or at the issue. Only the
 * timing checks look at it, so roots and openings are left out.
 */
final class TimingFixture {
  static final String H100 = "NVIDIA H100 80GB HBM3";
  static final GpuProfiles PROFILES = GpuProfiles.bundled();
  static final GpuProfiles.Profile PROFILE = PROFILES.find(H100).orElseThrow();
  static final GpuProfiles.Defaults DEFAULTS = PROFILES.defaults();
  static final Instant ISSUED = Instant.parse("2030-01-02T03:04:05Z");
  /** The prover prepares before saying it is ready; the seed goes out this long after issue. */
  static final Duration PREPARE = Duration.ofSeconds(30);
  /** The round trip the validator measured to the ready prover. */
  static final double ROUND_TRIP = 0.005;
  /** The prover's real commit step (spot-check, signing, state write), inside commitSeconds. */
  static final double COMMIT = 0.05;
  private static final Ed25519PrivateKey KEY = Ed25519PrivateKey.fromSeed(Bytes.sha256(
      "gpu-attest timing test key".getBytes(StandardCharsets.US_ASCII)));

  private TimingFixture() {}

  /** Issues a ready/go challenge as the issuer would, refusing weak ones. */
  static MessageCodec.Decoded<Challenge> issue(int devices, int n, int iterations)
      throws Exception {
    ChallengeIssuer issuer = new ChallengeIssuer(PROFILES, new SecureRandom(),
        Clock.fixed(ISSUED, ZoneOffset.UTC));
    return issuer.issue(ChallengeIssuer.Request.builder().gpus(devices).model(H100).dim(n)
        .iterations(iterations).samples(8).timedFrom(ChallengeIssuer.TimedFrom.GO)
        .weakTiming(false).build()).decodedChallenge();
  }

  /** The profile's time for one device's work in this challenge. */
  static double expected(Challenge c) {
    return TimingWindow.flopsPerDevice(c.dim(), c.iterations()) / (PROFILE.canonicalTflops()
        * 1e12);
  }

  /**
   * The timing checks of a run whose devices took {@code workSeconds} each, all at once, after
   * a ready/go start: the seed arrives half a round trip after the go, the commitment half a
   * round trip after the commit step.
   */
  static List<Check> readyGo(MessageCodec.Decoded<Challenge> c, double workSeconds) {
    return readyGo(c, workSeconds, null);
  }

  /** As above, the commitment reporting {@code proverCpuNanos} (null: not at all). */
  static List<Check> readyGo(MessageCodec.Decoded<Challenge> c, double workSeconds,
      Long proverCpuNanos) {
    return readyGo(c, workSeconds, proverCpuNanos, ROUND_TRIP);
  }

  /** As above, with the validator and the prover {@code roundTrip} seconds apart. */
  static List<Check> readyGo(MessageCodec.Decoded<Challenge> c, double workSeconds,
      Long proverCpuNanos, double roundTrip) {
    Instant go = ISSUED.plus(PREPARE);
    double elapsed = roundTrip + workSeconds + COMMIT;
    return checks(c, go, elapsed, workSeconds, Evidence.ClockStart.interactive(go, roundTrip),
        proverCpuNanos);
  }

  /** The same run timed from the challenge's issue, start-up of {@code startup} s inside. */
  static List<Check> fromIssue(MessageCodec.Decoded<Challenge> c, double workSeconds,
      double startup) {
    double elapsed = startup + workSeconds + COMMIT;
    return checks(c, ISSUED.plus(nanos(startup)), elapsed, workSeconds,
        Evidence.ClockStart.separate(ISSUED), null);
  }

  static Check window(List<Check> checks) {
    return checks.stream().filter(k -> k.name().equals("timing.window")).findFirst()
        .orElseThrow();
  }

  private static List<Check> checks(MessageCodec.Decoded<Challenge> decoded, Instant workStart,
      double elapsed, double workSeconds, Evidence.ClockStart clock, Long proverCpuNanos) {
    Challenge c = decoded.value();
    long start = workStart.getEpochSecond() * 1_000_000_000L + workStart.getNano()
        + Math.round(ROUND_TRIP / 2 * 1e9);
    long work = Math.round(workSeconds * 1e9);
    List<DeviceReport> reports = new ArrayList<>();
    long[] blocks = new long[PROFILE.smCount()];
    Arrays.fill(blocks, 8);
    for (int g = 0; g < c.devices(); g++) {
      reports.add(new DeviceReport(g, H100, String.format("GPU-%08x-7e57-4000-8000-%012x", g, g),
          String.format("00000000:%02X:00.0", 0x18 + g), "9.0", PROFILE.smCount(), 80L << 30,
          "550.54.15", DeviceReport.CUDA, Hex.encode(Bytes.sha256(new byte[] {(byte) g})),
          new Timing(start, start + work / 2, start + work, work), new SmMonitor(blocks, 0.95)));
    }
    Commitment commitment = Commitment.sign(CommitmentDigest.challengeDigest(decoded.bytes()),
        reports, proverCpuNanos, KEY);
    Instant received = clock.at().plus(nanos(elapsed));
    Evidence e = new Evidence(c, decoded.bytes(), received, null, commitment, null, PROFILES,
        Evidence.Options.strict(), clock);
    return TimingChecks.all(e, e.clock().at());
  }

  private static Duration nanos(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }
}
