package org.gpuattest.validator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

/**
 * What a validator remembers about one challenge between its steps, and nothing the prover may
 * see except the challenge: the challenge's exact text, the secret sampling seed, the time the
 * commitment arrived on the validator's clock, and the request it sent. Saved as JSON, mode
 * 0600, replaced atomically at each step.
 */
public record Session(
    int version,
    String challenge,
    String samplingSeed,
    String issuedAt,
    String commitment,
    String receivedAt,
    String request) {
  public Session {
    Limits.version("session", version);
    Limits.required("challenge", challenge);
    Hex.decode("samplingSeed", samplingSeed, 32);
    Limits.required("issuedAt", issuedAt);
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

  public Session withCommitment(String commitmentText, Instant at, String requestText) {
    return new Session(version, challenge, samplingSeed, issuedAt, commitmentText,
        at.toString(), requestText);
  }

  public void save(Path file) throws IOException {
    AtomicFiles.writeAtomically(file, Json.write(this), true);
  }

  public static Session load(Path file) throws BadMessageException, IOException {
    try {
      if (Files.size(file) > 4L * Limits.MAX_MESSAGE_BYTES) {
        throw new BadMessageException("--session: " + file + " is too large to be a session");
      }
      return Json.read("--session " + file, Files.readAllBytes(file), Session.class);
    } catch (NoSuchFileException e) {
      throw new BadMessageException("--session: no such file " + file);
    }
  }
}
