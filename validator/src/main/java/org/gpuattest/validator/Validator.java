package org.gpuattest.validator;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.check.Evidence;
import org.gpuattest.validator.check.Verifier;

/**
 * The validator as a library a service can embed: issue a challenge, take the commitment and
 * choose samples, take the openings and decide. Each step maps one {@link Session} to the next;
 * where sessions are kept is the caller's business (the CLI keeps them in a file).
 */
public final class Validator {
  private final GpuProfiles profiles;
  private final ReplayStore replay;
  private final SecureRandom random;
  private final Clock clock;

  public Validator(GpuProfiles profiles, ReplayStore replay, SecureRandom random, Clock clock) {
    this.profiles = profiles;
    this.replay = replay;
    this.random = random;
    this.clock = clock;
  }

  public Session challenge(ChallengeIssuer.Request request) throws BadMessageException {
    return new ChallengeIssuer(profiles, random, clock).issue(request);
  }

  /** Records the commitment and when it arrived, and chooses the rows to open. */
  public Session sample(Session session, String commitmentText) throws BadMessageException {
    if (session.commitment() != null) {
      throw new BadMessageException("--session: a commitment was already received at "
          + session.receivedAt() + "; each challenge takes one commitment");
    }
    Instant received = clock.instant();
    MessageCodec.Decoded<Commitment> commitment =
        MessageCodec.decode("commitment", commitmentText, Commitment.class);
    MessageCodec.Decoded<Challenge> challenge = session.decodedChallenge();
    byte[] challengeDigest = CommitmentDigest.challengeDigest(challenge.bytes());
    OpeningRequest request = new OpeningRequest(1, Hex.encode(challengeDigest),
        commitment.value().commitmentDigest(),
        SampleSelector.select(challenge.value(), Hex.decode("samplingSeed", session.samplingSeed(), 32),
            Hex.decode("commitmentDigest", commitment.value().commitmentDigest(), 32)));
    return session.withCommitment(MessageCodec.encode(commitment.value()), received,
        MessageCodec.encode(request));
  }

  public Verdict verify(Session session, String openingsText, Evidence.Options options)
      throws BadMessageException, IOException {
    MessageCodec.Decoded<Challenge> challenge = session.decodedChallenge();
    Commitment commitment = session.decodedCommitment().value();
    OpeningRequest request = session.decodedRequest();
    Openings openings = MessageCodec.decode("openings", openingsText, Openings.class).value();
    Evidence e = new Evidence(challenge.value(), challenge.bytes(), session.received(), request,
        commitment, openings, profiles, options);
    return new Verifier(replay, clock).verify(e);
  }
}
