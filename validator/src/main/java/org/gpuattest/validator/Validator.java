package org.gpuattest.validator;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.check.AttestationSummary;
import org.gpuattest.validator.check.Evidence;
import org.gpuattest.validator.check.Verifier;

/**
 * The validator as a library a service can embed: issue a challenge, take the commitment and
 * choose samples, take the openings and decide. Each step maps one {@link Session} to the next;
 * where sessions are kept is the caller's business (the CLI keeps them in a {@link SessionFile}).
 */
public final class Validator {
  private final GpuProfiles profiles;
  private final ReplayGuard replay;
  private final SecureRandom random;
  private final Clock clock;
  private final int threads;

  /** A validator that verifies on the caller's thread only. */
  public Validator(GpuProfiles profiles, ReplayGuard replay, SecureRandom random, Clock clock) {
    this(profiles, replay, random, clock, 1);
  }

  /**
   * @param threads the most threads a {@link #verify} (its devices' rows recomputed at once)
   *     or a {@link #verifyAll} (attestations, then devices) uses, 1 to
   *     {@link Workers#MAX_THREADS}, for example {@code Runtime.getRuntime()
   *     .availableProcessors()}. Fewer run while this JVM's heap cannot hold more devices'
   *     sampled rows at once.
   */
  public Validator(GpuProfiles profiles, ReplayGuard replay, SecureRandom random, Clock clock,
      int threads) {
    this.profiles = profiles;
    this.replay = replay;
    this.random = random;
    this.clock = clock;
    this.threads = Limits.range("threads", threads, 1, Workers.MAX_THREADS);
  }

  public Session challenge(ChallengeIssuer.Request request)
      throws ChallengeIssuer.InvalidRequestException, RuntimeFailureException {
    return new ChallengeIssuer(profiles, random, clock).issue(request);
  }

  /** As {@link #sample(Session, String, Instant)}, the commitment arriving now. */
  public Session sample(Session session, String commitmentText) throws BadMessageException {
    return sample(session, commitmentText, clock.instant());
  }

  /**
   * Records the commitment and when it arrived, draws the secret sampling seed (only now, once
   * the prover is bound to its roots: docs/protocol.md section 7) and chooses the rows to open.
   * Where the challenge has a memory phase it draws the memory seed instead (only now, too):
   * the returned session {@link Session#awaitsMemory}, and the samples follow the memory roots
   * ({@link MemoryStep}, {@link #sampleMemory}).
   *
   * @throws BadMessageException the session already has a commitment, or the commitment does
   *     not decode or answers another challenge; the session is unchanged
   */
  public Session sample(Session session, String commitmentText, Instant receivedAt)
      throws BadMessageException {
    if (session.commitment() != null) {
      throw new BadMessageException("session: a commitment was already received at "
          + session.receivedAt() + "; each challenge takes one commitment");
    }
    MessageCodec.Decoded<Commitment> commitment =
        MessageCodec.decode("commitment", commitmentText, Commitment.class);
    MessageCodec.Decoded<Challenge> challenge = session.decodedChallenge();
    String challengeDigest = Hex.encode(CommitmentDigest.challengeDigest(challenge.bytes()));
    String answered = commitment.value().challengeDigest();
    if (!answered.equalsIgnoreCase(challengeDigest)) {
      throw new BadMessageException("commitment: it answers another challenge (digest "
          + answered.substring(0, 16) + "...), not this session's (" + challengeDigest
          .substring(0, 16) + "...)");
    }
    if (challenge.value().memory() != null) {
      byte[] memorySeed = new byte[32];
      random.nextBytes(memorySeed);
      return session.withCommitmentAndMemorySeed(MessageCodec.encode(commitment.value()),
          receivedAt, memorySeed);
    }
    byte[] samplingSeed = new byte[32];
    random.nextBytes(samplingSeed);
    OpeningRequest request = openingRequest(challenge, commitment.value(), samplingSeed);
    return session.withCommitment(MessageCodec.encode(commitment.value()), receivedAt,
        samplingSeed, MessageCodec.encode(request));
  }

  /**
   * Records the memory roots and when they arrived, then draws the secret sampling seed (only
   * now, once the prover is bound to every pass's roots too: docs/protocol.md section 7) and
   * chooses the rows, and the passes of those kept, to open.
   *
   * @throws BadMessageException the session awaits no memory roots, or they do not decode or
   *     answer another challenge, commitment or memory seed; the session is unchanged
   */
  public Session sampleMemory(Session session, String memoryText, Instant receivedAt)
      throws BadMessageException {
    if (!session.awaitsMemory() || session.memorySentAt() == null) {
      throw new BadMessageException("session: it awaits no memory roots (none, or already"
          + " received at " + session.memoryReceivedAt() + ")");
    }
    MemoryRoots roots = MessageCodec.decode("memory roots", memoryText, MemoryRoots.class)
        .value();
    Commitment commitment = session.decodedCommitment().value();
    if (!roots.challengeDigest().equalsIgnoreCase(commitment.challengeDigest())
        || !roots.commitmentDigest().equalsIgnoreCase(commitment.commitmentDigest())) {
      throw new BadMessageException("memory roots: they answer another challenge or"
          + " commitment (commitment digest " + abbreviated(roots.commitmentDigest())
          + "), not this session's (" + abbreviated(commitment.commitmentDigest()) + ")");
    }
    if (!roots.memorySeed().equalsIgnoreCase(session.memorySeed())) {
      throw new BadMessageException("memory roots: they answer memory seed "
          + abbreviated(roots.memorySeed()) + ", not the one sent ("
          + abbreviated(session.memorySeed()) + "): a stale or replayed answer");
    }
    byte[] samplingSeed = new byte[32];
    random.nextBytes(samplingSeed);
    OpeningRequest request = openingRequest(session.decodedChallenge(), commitment,
        samplingSeed, roots);
    return session.withMemoryRoots(MessageCodec.encode(roots), receivedAt, samplingSeed,
        MessageCodec.encode(request));
  }

  /**
   * The opening request a sampling seed gives for this commitment: a function of the challenge,
   * the commitment digest and the seed only (docs/protocol.md section 7), so a re-verification
   * from the evidence archive can re-derive it from the recorded seed (section 8.5).
   */
  public static OpeningRequest openingRequest(MessageCodec.Decoded<Challenge> challenge,
      Commitment commitment, byte[] samplingSeed) {
    return openingRequest(challenge, commitment, samplingSeed, null);
  }

  /**
   * As {@link #openingRequest(MessageCodec.Decoded, Commitment, byte[])}, with the passes of
   * the memory phase opened for the kept iterations' samples when {@code memory} (the memory
   * roots the seed followed) is given: a function of the memory digest too.
   */
  public static OpeningRequest openingRequest(MessageCodec.Decoded<Challenge> challenge,
      Commitment commitment, byte[] samplingSeed, MemoryRoots memory) {
    String challengeDigest = Hex.encode(CommitmentDigest.challengeDigest(challenge.bytes()));
    List<Sample> samples = SampleSelector.select(challenge.value(), samplingSeed,
        Hex.decode("commitmentDigest", commitment.commitmentDigest(), 32));
    if (memory != null && challenge.value().memory() != null) {
      samples = SampleSelector.withPasses(challenge.value(), samples, samplingSeed,
          memory.memoryDigestBytes());
    }
    return new OpeningRequest(1, challengeDigest, commitment.commitmentDigest(), samples);
  }

  /**
   * @throws BadMessageException the openings do not decode (the session is not sampled)
   * @throws IOException the replay store cannot be written, or the thread was interrupted
   *     while it recomputed rows ({@link java.io.InterruptedIOException})
   * @throws RuntimeFailureException this JVM's heap cannot hold one device's sampled rows
   */
  public Verdict verify(Session session, String openingsText, Evidence.Options options)
      throws BadMessageException, IOException, RuntimeFailureException {
    return verify(session, openingsText, options, false);
  }

  /**
   * As {@link #verify}, for openings an operator hands over in the separate steps ('validator
   * verify'): openings that answer another challenge or another commitment than the session's
   * are refused as bad input, before the challenge id is claimed, as {@link #sample} refuses a
   * commitment for another challenge. Openings mixed up between two sessions must not use up
   * either challenge; in 'validator attest', where the prover itself answers, the same
   * openings fail challenge.binding instead.
   *
   * @throws BadMessageException also: the openings name another exchange's digests, each of
   *     the four named
   */
  public Verdict verifyHandedOver(Session session, String openingsText,
      Evidence.Options options) throws BadMessageException, IOException,
      RuntimeFailureException {
    return verify(session, openingsText, options, true);
  }

  private Verdict verify(Session session, String openingsText, Evidence.Options options,
      boolean refuseOtherExchange)
      throws BadMessageException, IOException, RuntimeFailureException {
    MessageCodec.Decoded<Challenge> challenge = session.decodedChallenge();
    Commitment commitment = session.decodedCommitment().value();
    OpeningRequest request = session.decodedRequest();
    Challenge c = challenge.value();
    ChallengeIssuer.checkVerifiable(largestDeviceShare(request), (long) c.iterations() * c.dim(),
        c.dim());
    Openings openings = MessageCodec.decode("openings", openingsText, Openings.class).value();
    if (refuseOtherExchange) {
      requireSameExchange(request, openings);
    }
    Evidence e = new Evidence(c, challenge.bytes(), session.received(), request,
        commitment, openings, profiles, options, session.clockStart(),
        session.memoryEvidence());
    return new Verifier(replay, clock, threads).verify(e);
  }

  /** The openings' digests are the ones the session's request asked to open. */
  private static void requireSameExchange(OpeningRequest request, Openings openings)
      throws BadMessageException {
    if (openings.challengeDigest().equalsIgnoreCase(request.challengeDigest())
        && openings.commitmentDigest().equalsIgnoreCase(request.commitmentDigest())) {
      return;
    }
    throw new BadMessageException("openings: they answer another exchange (challenge digest "
        + abbreviated(openings.challengeDigest()) + ", commitment digest "
        + abbreviated(openings.commitmentDigest()) + "), not this session's (challenge digest "
        + abbreviated(request.challengeDigest()) + ", commitment digest "
        + abbreviated(request.commitmentDigest()) + "); give the openings of this session's"
        + " request. Nothing was recorded: the challenge can still be verified");
  }

  private static String abbreviated(String digest) {
    return digest.substring(0, 16).toLowerCase(java.util.Locale.ROOT) + "...";
  }

  /**
   * Verifies many attestations concurrently on this validator's threads, each as
   * {@link #verify} would, with threads and memory bounded ({@link AttestationBatch}).
   *
   * @return one outcome per item, in the items' order: its verdict, or why it has none
   * @throws InterruptedException interrupted while waiting; the batch has no outcomes
   */
  public List<AttestationBatch.Outcome> verifyAll(List<AttestationBatch.Item> items)
      throws InterruptedException {
    return AttestationBatch.verifyAll(items, threads, (item, each) ->
        new Validator(profiles, replay, random, clock, each)
            .verify(item.session(), item.openings(), item.options()));
  }

  /**
   * The verdict's {@code attestation} for a session whose commitment was taken but whose
   * openings never came (the prover failed at 'open'): the claim, the commitment's devices and
   * key, and the timing, as {@link #verify} would report them; empty without a commitment.
   */
  public Optional<Attestation> summary(Session session, Instant verifiedAt) {
    if (session.commitment() == null) {
      return Optional.empty();
    }
    try {
      MessageCodec.Decoded<Challenge> challenge = session.decodedChallenge();
      Evidence e = new Evidence(challenge.value(), challenge.bytes(), session.received(),
          session.decodedRequest(), session.decodedCommitment().value(), null, profiles,
          Evidence.Options.strict(), session.clockStart());
      return Optional.of(AttestationSummary.of(e, verifiedAt));
    } catch (BadMessageException e) {
      return Optional.empty(); // the session holds what sample() accepted: not reached
    }
  }

  /** The most samples any one device has: those rows are recomputed together. */
  private static int largestDeviceShare(OpeningRequest request) {
    Map<Integer, Integer> perDevice = new HashMap<>();
    for (Sample s : request.samples()) {
      perDevice.merge(s.device(), 1, Integer::sum);
    }
    return perDevice.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
