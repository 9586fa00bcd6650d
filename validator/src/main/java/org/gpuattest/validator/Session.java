package org.gpuattest.validator;

import org.gpuattest.validator.check.Evidence;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.common.util.Hex;
import org.gpuattest.common.util.InputFiles;

/**
 * What a validator remembers about one challenge between its steps: the challenge's exact text
 * and issue time; then, once the commitment has arrived, the commitment, its arrival time on
 * the validator's clock, the sampling seed and the request it sent. The sampling seed is drawn
 * only when the commitment is in (docs/protocol.md section 7), so a session file read before
 * then, by a prover on the same host say, holds nothing that helps to cheat. With a memory
 * phase the commitment brings the memory seed, when it was sent and the memory roots with
 * their arrival come next, and the sampling seed only after them. Saved as JSON,
 * mode 0600, replaced atomically at each step ({@link SessionFile}).
 */
public record Session(
    int version,
    String challenge,
    String issuedAt,
    String commitment,
    String receivedAt,
    String samplingSeed,
    String request,
    String goSentAt,
    Long roundTripNanos,
    String memorySeed,
    String memorySentAt,
    String memoryRoots,
    String memoryReceivedAt) {
  public Session {
    Limits.version("session", version);
    Limits.required("challenge", challenge);
    Limits.required("issuedAt", issuedAt);
    boolean committed = commitment != null;
    if ((receivedAt != null) != committed || (samplingSeed != null) != (request != null)) {
      throw new IllegalArgumentException("commitment and receivedAt come together, and"
          + " samplingSeed and request");
    }
    // Without a memory phase the samples follow the commitment; with one, the memory roots
    // (docs/protocol.md section 3.2): the sampling seed is drawn only once both are in.
    boolean memory = memorySeed != null;
    if (memory ? !committed || (request != null) != (memoryRoots != null)
        : (request != null) != committed) {
      throw new IllegalArgumentException("samplingSeed and request come once the commitment"
          + " has arrived, and with a memory phase once its memory roots have");
    }
    if ((memorySentAt != null && !memory) || (memoryRoots != null && memorySentAt == null)
        || (memoryRoots != null) != (memoryReceivedAt != null)) {
      throw new IllegalArgumentException("memorySeed, memorySentAt, then memoryRoots with"
          + " memoryReceivedAt, come in that order");
    }
    if (committed) {
      Challenge.instant("receivedAt", receivedAt);
    }
    if (request != null) {
      Hex.decode("samplingSeed", samplingSeed, 32);
    }
    if (memory) {
      Hex.decode("memorySeed", memorySeed, 32);
    }
    if (memorySentAt != null) {
      Challenge.instant("memorySentAt", memorySentAt);
    }
    if (memoryReceivedAt != null) {
      Challenge.instant("memoryReceivedAt", memoryReceivedAt);
    }
    if ((goSentAt != null) != (roundTripNanos != null)) {
      throw new IllegalArgumentException("goSentAt and roundTripNanos come together, once the"
          + " seed has been sent after the prover said it was ready");
    }
    if (goSentAt != null) {
      Challenge.instant("goSentAt", goSentAt);
      if (roundTripNanos < 0) {
        throw new IllegalArgumentException("roundTripNanos must not be negative");
      }
    }
  }

  /** As the canonical constructor for a session without the ready/go start (§3.2). */
  public Session(int version, String challenge, String issuedAt, String commitment,
      String receivedAt, String samplingSeed, String request) {
    this(version, challenge, issuedAt, commitment, receivedAt, samplingSeed, request, null,
        null);
  }

  /** As the canonical constructor for a session without a memory phase. */
  public Session(int version, String challenge, String issuedAt, String commitment,
      String receivedAt, String samplingSeed, String request, String goSentAt,
      Long roundTripNanos) {
    this(version, challenge, issuedAt, commitment, receivedAt, samplingSeed, request, goSentAt,
        roundTripNanos, null, null, null, null);
  }

  /** A session that has issued its challenge and waits for the commitment. */
  public static Session issued(String challengeText, Instant issued) {
    return new Session(1, challengeText, issued.toString(), null, null, null, null);
  }

  public MessageCodec.Decoded<Challenge> decodedChallenge() throws BadMessageException {
    return MessageCodec.decode("session challenge", challenge, Challenge.class);
  }

  public MessageCodec.Decoded<Commitment> decodedCommitment() throws BadMessageException {
    if (commitment == null) {
      throw new BadMessageException(
          "session: no commitment recorded yet (run 'validator sample' first)");
    }
    return MessageCodec.decode("session commitment", commitment, Commitment.class);
  }

  public OpeningRequest decodedRequest() throws BadMessageException {
    if (request == null) {
      throw new BadMessageException(
          "session: no opening request recorded yet (run 'validator sample' first)");
    }
    return MessageCodec.decode("session request", request, OpeningRequest.class).value();
  }

  public Instant received() {
    return receivedAt == null ? null : Instant.parse(receivedAt);
  }

  public Session withCommitment(String commitmentText, Instant at, byte[] seed,
      String requestText) {
    return new Session(version, challenge, issuedAt, commitmentText, at.toString(),
        Hex.encode(seed), requestText, goSentAt, roundTripNanos);
  }

  /**
   * Records the commitment of a challenge with a memory phase and the memory seed drawn for
   * it (docs/protocol.md section 3.2); the samples wait for the memory roots.
   */
  public Session withCommitmentAndMemorySeed(String commitmentText, Instant at,
      byte[] memorySeedBytes) {
    return new Session(version, challenge, issuedAt, commitmentText, at.toString(), null, null,
        goSentAt, roundTripNanos, Hex.encode(memorySeedBytes), null, null, null);
  }

  /**
   * Records that the memory seed left for the prover at {@code sent} on the validator's clock:
   * the memory phase's window starts there.
   */
  public Session withMemorySent(Instant sent) {
    if (memorySeed == null || memoryRoots != null) {
      throw new IllegalStateException("the memory seed goes out once, after the commitment"
          + " and before the memory roots");
    }
    return new Session(version, challenge, issuedAt, commitment, receivedAt, null, null,
        goSentAt, roundTripNanos, memorySeed, sent.toString(), null, null);
  }

  /** Records the memory roots, when they arrived, and the samples drawn after them. */
  public Session withMemoryRoots(String memoryText, Instant at, byte[] seed,
      String requestText) {
    if (memorySentAt == null) {
      throw new IllegalStateException("the memory roots answer a memory seed sent before");
    }
    return new Session(version, challenge, issuedAt, commitment, receivedAt, Hex.encode(seed),
        requestText, goSentAt, roundTripNanos, memorySeed, memorySentAt, memoryText,
        at.toString());
  }

  /** Whether the commitment is in and the memory phase has yet to answer. */
  public boolean awaitsMemory() {
    return memorySeed != null && memoryRoots == null;
  }

  /** The memory seed message for the prover (the payload of its 'memory' line). */
  public MemorySeed memorySeedMessage() throws BadMessageException {
    if (memorySeed == null) {
      throw new IllegalStateException("no memory seed drawn");
    }
    return new MemorySeed(1, decodedCommitment().value().commitmentDigest(), memorySeed);
  }

  /**
   * The memory phase as recorded, for the checks; null when the challenge has none or it was
   * not reached.
   */
  public Evidence.Memory memoryEvidence() throws BadMessageException {
    if (memoryRoots == null) {
      return null;
    }
    return new Evidence.Memory(Hex.decode("memorySeed", memorySeed, 32),
        Instant.parse(memorySentAt), Instant.parse(memoryReceivedAt),
        MessageCodec.decode("session memory roots", memoryRoots, MemoryRoots.class).value());
  }

  /**
   * Records that the challenge (the seed) went to a prover that had said it was ready, at
   * {@code sent} on the validator's clock, and the round trip the validator measured to it:
   * the validator's timing window starts there (docs/protocol.md, ready/go start).
   */
  public Session withGo(Instant sent, long roundTripNanos) {
    if (commitment != null) {
      throw new IllegalStateException("the seed goes out before the commitment comes in");
    }
    return new Session(version, challenge, issuedAt, null, null, null, null, sent.toString(),
        roundTripNanos);
  }

  /** Where the validator's clock started: the go for a ready/go start, else the issue time. */
  public Evidence.ClockStart clockStart() throws BadMessageException {
    return goSentAt == null
        ? Evidence.ClockStart.separate(decodedChallenge().value().issued())
        : Evidence.ClockStart.interactive(Instant.parse(goSentAt), roundTripNanos / 1e9);
  }

  public void save(Path file) throws IOException {
    AtomicFiles.writeAtomically(file, Json.write(this), true);
  }

  /** As {@link #load(String, Path)}, refusals starting with "session". */
  public static Session load(Path file) throws BadMessageException, IOException {
    return load("session", file);
  }

  /**
   * @param what the option that named the file, as refusals start: "--session"
   * @throws BadMessageException the file is missing, a folder, unreadable, too large, or not
   *     a session: one line naming {@code what} and the file ({@link InputFiles})
   */
  public static Session load(String what, Path file) throws BadMessageException, IOException {
    return parse(file, InputFiles.read(what, file, 4 * Limits.MAX_MESSAGE_BYTES,
        "a session file"));
  }

  static Session parse(Path file, byte[] json) throws BadMessageException {
    return Json.read("session file " + file, json, Session.class);
  }
}
