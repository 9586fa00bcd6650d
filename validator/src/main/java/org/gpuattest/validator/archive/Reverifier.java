package org.gpuattest.validator.archive;

import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.Hex;
import org.gpuattest.common.util.Printable;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import org.gpuattest.validator.check.Evidence;

/**
 * Re-checks one archived exchange offline (docs/protocol.md section 8.5): the opening request
 * is re-derived from the recorded sampling seed, commitment and memory roots (where the
 * challenge has a memory phase) and must be the recorded one;
 * every check runs again on the recorded messages, with the validator's clock fixed at the
 * record's verifiedAt and the replay check answered as recorded; the new verdict is compared
 * with the recorded one. Nothing is written: not the replay store, not the archive.
 */
public final class Reverifier {
  private final GpuProfiles profiles;
  private final int threads;

  /** @param threads how many devices' rows are recomputed at once, as for {@link Validator} */
  public Reverifier(GpuProfiles profiles, int threads) {
    this.profiles = profiles;
    this.threads = threads;
  }

  /**
   * What a re-verification found.
   *
   * @param verdict the verdict made now; for a prover failure, the recorded one (there is
   *     nothing to re-check)
   * @param differences where the exchange disagrees with its record, one line each; empty
   *     when it matches
   * @param proverFailed the record says the prover failed before a verdict could be made
   */
  public record Outcome(Verdict verdict, List<String> differences, boolean proverFailed) {
    public Outcome {
      differences = List.copyOf(differences);
    }

    public boolean matches() {
      return differences.isEmpty();
    }

    /** Re-verified, passed, and the same verdict as recorded: exit 0. */
    public boolean passed() {
      return !proverFailed && verdict.passed() && matches();
    }
  }

  /**
   * @throws BadMessageException a recorded message does not decode: the message names the file
   * @throws IOException the thread was interrupted while rows were recomputed
   * @throws RuntimeFailureException this JVM's heap cannot hold one device's sampled rows
   */
  public Outcome reverify(ArchivedExchange x)
      throws BadMessageException, IOException, RuntimeFailureException {
    ArchiveRecord record = x.record();
    Session session = x.session();
    List<String> differences = new ArrayList<>();
    MessageCodec.Decoded<Challenge> challenge = inFile(ArchivedExchange.SESSION,
        session::decodedChallenge);
    String id = challenge.value().id();
    if (!id.equals(record.challengeId())) {
      differences.add("record.json names challenge " + record.challengeId()
          + ", the session's challenge is " + id);
    }
    if (!id.equals(x.verdict().challengeId())) {
      differences.add("verdict.json judges challenge " + Printable.escape(
          x.verdict().challengeId()) + ", the session's challenge is " + id);
    }
    Optional<Session> rederived = Optional.empty();
    // With a memory phase the samples follow the memory roots: a prover that failed at
    // 'memory' left a commitment and no request.
    if (session.commitment() != null && session.request() != null) {
      rederived = Optional.of(rederived(session, challenge, differences));
    }
    if (record.proverFailure() != null) {
      String check = record.proverFailure().check();
      boolean recordedFailure = x.verdict().checks().stream()
          .anyMatch(c -> c.name().equals(check) && c.failed());
      if (!recordedFailure) {
        differences.add("verdict.json does not fail check " + check
            + ", the prover failure record.json names");
      }
      return new Outcome(x.verdict(), differences, true);
    }
    if (rederived.isEmpty()) {
      throw new BadMessageException(ArchivedExchange.SESSION + ": no commitment recorded,"
          + " and record.json names no prover failure");
    }
    Verdict now = verify(rederived.get(), x, record);
    differences.addAll(VerdictDifferences.between(x.verdict(), now));
    return new Outcome(now, differences, false);
  }

  /** The session with the request its seed gives; a different recorded one is noted. */
  private static Session rederived(Session s, MessageCodec.Decoded<Challenge> challenge,
      List<String> differences) throws BadMessageException {
    byte[] seed = Hex.decode("samplingSeed", s.samplingSeed(), 32);
    Evidence.Memory memory = inFile(ArchivedExchange.SESSION, s::memoryEvidence);
    OpeningRequest derived = Validator.openingRequest(challenge,
        inFile(ArchivedExchange.SESSION, s::decodedCommitment).value(), seed,
        memory == null ? null : memory.roots());
    OpeningRequest recorded = inFile(ArchivedExchange.SESSION, s::decodedRequest);
    if (!derived.equals(recorded)) {
      differences.add("session.json: the recorded opening request is not the one the recorded"
          + " sampling seed and commitment give (the record was altered); re-verified with"
          + " the re-derived request");
    }
    return new Session(s.version(), s.challenge(), s.issuedAt(), s.commitment(),
        s.receivedAt(), s.samplingSeed(), MessageCodec.encode(derived), s.goSentAt(),
        s.roundTripNanos(), s.memorySeed(), s.memorySentAt(), s.memoryRoots(),
        s.memoryReceivedAt());
  }

  private Verdict verify(Session s, ArchivedExchange x, ArchiveRecord record)
      throws BadMessageException, IOException, RuntimeFailureException {
    Optional<Ed25519PublicKey> pinned = Optional.empty();
    if (record.options().proverKey() != null) {
      pinned = Optional.of(Ed25519PublicKey.fromPem(ArchivedExchange.RECORD
          + ": options.proverKey", record.options().proverKey()));
    }
    Evidence.Options options = new Evidence.Options(record.options().allowCpu(), pinned);
    // The clock reads verifiedAt, as it did when the verdict was made; verify draws no
    // randomness, so none is given.
    // The bounds the verdict was held to, as recorded; this validator's table only for a
    // record that predates them (docs/protocol.md 8.5).
    GpuProfiles heldTo = record.profiles() != null ? record.profiles() : profiles;
    Validator v = new Validator(heldTo, RecordedReplay.from(x.verdict()), null,
        Clock.fixed(record.verified(), ZoneOffset.UTC), threads);
    try {
      return v.verify(s, x.openings(), options);
    } catch (BadMessageException e) {
      throw new BadMessageException(ArchivedExchange.OPENINGS + ": " + e.getMessage());
    }
  }

  @FunctionalInterface
  private interface Decoding<T> {
    T get() throws BadMessageException;
  }

  /** A decoding error, with the archive file it came from in front. */
  private static <T> T inFile(String file, Decoding<T> decoding) throws BadMessageException {
    try {
      return decoding.get();
    } catch (BadMessageException e) {
      throw new BadMessageException(file + ": " + e.getMessage());
    }
  }
}
