package org.gpuattest.validator.attack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import org.gpuattest.validator.check.Evidence;

/**
 * One validator (bundled profiles, a replay store in a test folder, a seeded random and a clock
 * the test moves) and the protocol's four steps between it and a {@link TestProver}, with a hook
 * between each step for the attack under test.
 */
public final class Harness {
  public static final Instant START = Instant.parse("2030-01-02T03:04:05Z");
  /** Issue to receipt of an honest run: inside every bundled H100 window for small n. */
  public static final Duration HONEST_ELAPSED = Duration.ofSeconds(10);

  /** G devices, n x n matrices, T iterations, K samples. */
  public record Shape(int devices, int dim, int iterations, int samples) {
    /** G = 2, n = 64, T = 2, and K opening every one of the 256 rows. */
    public static final Shape SMALL = new Shape(2, 64, 2, 2 * 2 * 64);

    public int totalRows() {
      return devices * iterations * dim;
    }
  }

  public final GpuProfiles profiles = GpuProfiles.bundled();
  public final MutableClock clock = new MutableClock(START);
  public final Path replayDir;
  public final Validator validator;
  public final Ed25519PrivateKey proverKey = key("prover");

  public Harness(Path dir, long seed) {
    this(dir, seed, 1);
  }

  /** A validator that recomputes up to {@code threads} devices' rows at once. */
  public Harness(Path dir, long seed, int threads) {
    this.replayDir = dir.resolve("used-challenges");
    this.validator = new Validator(profiles, new ReplayStore(replayDir), seeded(seed), clock,
        threads);
  }

  /** A deterministic SecureRandom: SHA1PRNG seeded before its first use never self-seeds. */
  public static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fixed Ed25519 key: secret SHA-256("gpu-attest validator test key: " + label). */
  public static Ed25519PrivateKey key(String label) {
    return Ed25519PrivateKey.fromSeed(Bytes.sha256(
        ("gpu-attest validator test key: " + label).getBytes(StandardCharsets.US_ASCII)));
  }

  public TestProver prover(TestProver.Hardware hw, TestProver.Cheats cheats) {
    return new TestProver(proverKey, hw, cheats, profiles);
  }

  public Session challenge(Shape s) throws BadMessageException {
    return challenge(s, null);
  }

  /** A challenge for H100s of that shape, signed when {@code validatorKey} is not null. */
  public Session challenge(Shape s, Ed25519PrivateKey validatorKey) throws BadMessageException {
    try {
      return validator.challenge(ChallengeIssuer.Request.builder().gpus(s.devices())
          .model(TestProver.H100_NAME).dim(s.dim()).iterations(s.iterations())
          .samples(s.samples()).signingKey(validatorKey)
          .timedFrom(ChallengeIssuer.TimedFrom.ISSUE).weakTiming(true).build());
    } catch (RuntimeFailureException e) {
      throw new IllegalStateException("the test JVM cannot hold this shape: " + e.getMessage());
    }
  }

  public Run run(TestProver prover) {
    return new Run(prover);
  }

  /** One attestation, configured, then {@link #verdict()}; keeps what each step produced. */
  public final class Run {
    private final TestProver prover;
    private Shape shape = Shape.SMALL;
    private Duration elapsed = HONEST_ELAPSED;
    private boolean allowCpu;
    private Optional<Ed25519PublicKey> pinned = Optional.empty();
    private Ed25519PrivateKey validatorKey;
    private UnaryOperator<Commitment> editCommitment = c -> c;
    private UnaryOperator<Openings> editOpenings = o -> o;
    private UnaryOperator<Session> editIssued = x -> x;
    public Session issued;
    public Session sampled;
    public Commitment commitment;
    public Openings openings;

    Run(TestProver prover) {
      this.prover = prover;
    }

    public Run shape(Shape s) {
      shape = s;
      return this;
    }

    public Run elapsed(Duration d) {
      elapsed = d;
      return this;
    }

    public Run allowCpu() {
      allowCpu = true;
      return this;
    }

    public Run signChallenge(Ed25519PrivateKey key) {
      validatorKey = key;
      return this;
    }

    public Run pin(Ed25519PublicKey key) {
      pinned = Optional.of(key);
      return this;
    }

    /** Changes the commitment after the prover signed it, before the validator sees it. */
    public Run commitment(UnaryOperator<Commitment> edit) {
      editCommitment = edit;
      return this;
    }

    /** Changes the issued session (as a tampered session store would), before the prover runs. */
    public Run issued(UnaryOperator<Session> edit) {
      editIssued = edit;
      return this;
    }

    public Run openings(UnaryOperator<Openings> edit) {
      editOpenings = edit;
      return this;
    }

    public Evidence.Options options() {
      return new Evidence.Options(allowCpu, pinned);
    }

    public Verdict verdict() throws BadMessageException, IOException {
      return opened().verifyAgain();
    }

    /** The protocol's steps up to the openings, not verified: {@link #verifyAgain} does. */
    public Run opened() throws BadMessageException {
      issued = editIssued.apply(challenge(shape, validatorKey));
      commitment = editCommitment.apply(prover.commit(issued.decodedChallenge()));
      clock.advance(elapsed);
      sampled = validator.sample(issued, MessageCodec.encode(commitment));
      openings = editOpenings.apply(prover.open(sampled.decodedRequest()));
      return this;
    }

    /** Verifies the sampled session with the same openings once more. */
    public Verdict verifyAgain() throws BadMessageException, IOException {
      try {
        return validator.verify(sampled, MessageCodec.encode(openings), options());
      } catch (RuntimeFailureException e) {
        throw new IllegalStateException("the test JVM cannot hold this shape: " + e.getMessage());
      }
    }
  }
}
