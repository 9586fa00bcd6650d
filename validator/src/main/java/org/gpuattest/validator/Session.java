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
 * then, by a prover on the same host say, holds nothing that helps to cheat. Saved as JSON,
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
    Long roundTripNanos) {
  public Session {
    Limits.version("session", version);
    Limits.required("challenge", challenge);
    Limits.required("issuedAt", issuedAt);
    boolean sampled = commitment != null;
    if ((receivedAt != null) != sampled || (samplingSeed != null) != sampled
        || (request != null) != sampled) {
      throw new IllegalArgumentException("commitment, receivedAt, samplingSeed and request"
          + " come together, once the commitment has arrived");
    }
    if (sampled) {
      Hex.decode("samplingSeed", samplingSeed, 32);
      Challenge.instant("receivedAt", receivedAt);
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
