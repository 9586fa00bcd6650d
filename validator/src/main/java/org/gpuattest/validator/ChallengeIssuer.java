package org.gpuattest.validator;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.util.Hex;

/**
 * Issues challenges: fresh id, seed and secret sampling seed from a SecureRandom, sizes checked
 * against the protocol limits and the model against the profile table, expiry at the end of
 * the timing window unless a TTL is given.
 */
public final class ChallengeIssuer {
  /** Rows opened by default: at least 99% detection of 1% faked rows (docs/soundness.md). */
  public static final int DEFAULT_SAMPLES = 460;
  public static final int DEFAULT_DIM = 2048;
  public static final double DEFAULT_SECONDS = 10.0;

  private final GpuProfiles profiles;
  private final SecureRandom random;
  private final Clock clock;

  public ChallengeIssuer(GpuProfiles profiles, SecureRandom random, Clock clock) {
    this.profiles = profiles;
    this.random = random;
    this.clock = clock;
  }

  /** What the validator asks for; iterations null means "derive from seconds". */
  public record Request(int devices, String model, int dim, Integer iterations, Double seconds,
      int samples, Duration ttl, Ed25519PrivateKey key) {}

  public Session issue(Request r) throws BadMessageException {
    // Options first, in the user's own words, before anything derived from them.
    try {
      Limits.range("--gpus", r.devices(), 1, Limits.MAX_DEVICES);
      Limits.dim("--dim", r.dim());
      Limits.range("--samples", r.samples(), 1, Limits.MAX_SAMPLES);
      if (r.iterations() != null) {
        Limits.range("--iterations", r.iterations(), 1, Limits.MAX_ITERATIONS);
      }
    } catch (IllegalArgumentException e) {
      throw new BadMessageException(e.getMessage());
    }
    GpuProfiles.Profile profile = profiles.require(r.model());
    if (r.iterations() != null && r.seconds() != null) {
      throw new BadMessageException("--iterations and --seconds exclude each other");
    }
    int iterations;
    if (r.iterations() != null) {
      iterations = r.iterations();
    } else {
      double seconds = r.seconds() == null ? DEFAULT_SECONDS : r.seconds();
      if (!(seconds > 0 && seconds <= 86_400)) {
        throw new BadMessageException("--seconds must be in (0, 86400], got " + seconds);
      }
      iterations = TimingWindow.iterationsFor(profile, r.dim(), seconds);
      if (iterations > Limits.MAX_ITERATIONS
          || (long) iterations * r.devices() > Limits.MAX_MATRICES) {
        throw new BadMessageException(String.format("--seconds %s at --dim %d needs %d"
            + " iterations per GPU, over the limit; raise --dim or give --iterations",
            seconds, r.dim(), iterations));
      }
    }
    Instant issued = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Duration ttl = r.ttl();
    if (ttl == null) {
      try {
        TimingWindow w = TimingWindow.of(profile, profiles.defaults(), r.dim(), iterations,
            r.devices());
        ttl = Duration.ofMillis((long) Math.ceil(w.maxSeconds() * 1000)).plusSeconds(30);
      } catch (ArithmeticException e) {
        throw new BadMessageException("challenge window is too long to represent");
      }
    }
    Challenge c;
    try {
      c = new Challenge(1, Hex.encode(bytes(16)), Hex.encode(bytes(32)), r.dim(), iterations,
          r.devices(), r.model(), issued.toString(), issued.plus(ttl).toString(), r.samples(),
          null, null);
    } catch (IllegalArgumentException e) {
      throw new BadMessageException("challenge: " + e.getMessage());
    }
    if (r.key() != null) {
      c = c.signedBy(r.key());
    }
    return new Session(1, MessageCodec.encode(c), Hex.encode(bytes(32)), issued.toString(),
        null, null, null);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
