package org.gpuattest.validator;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.MessageCodec;

/**
 * The memory phase of the attest conversation (docs/protocol.md section 3.2), between the
 * commitment and the opening request: the validator sends the memory seed it drew when the
 * commitment arrived ({@link Validator#sample}), its clock for the phase starting as the line
 * leaves ({@link #send}), and takes the prover's memory roots, whose arrival stops that clock
 * and after which the samples are drawn ({@link #receive}, {@link Validator#sampleMemory}).
 * Two calls, so the caller can keep the session with the sending time in between.
 */
public final class MemoryStep {
  /** The conversation's keyword for the memory seed's line. */
  public static final String KEYWORD = "memory";

  private MemoryStep() {}

  /**
   * How long the memory roots may take from the memory seed's sending: {@code left}, what is
   * left of the prove deadline, but never less than the memory window of this challenge on
   * {@code profiles} (its round trip at the cap) plus {@code grace}, so that a prove deadline
   * fitted to the product's window cannot cut off an honest memory phase (docs/protocol.md
   * section 3.2).
   */
  public static Duration deadline(Duration left, GpuProfiles profiles,
      org.gpuattest.common.message.Challenge c, Duration grace) {
    return deadline(left, MemoryWindow.worstMaxSeconds(profiles, c), grace);
  }

  static Duration deadline(Duration left, double windowMaxSeconds, Duration grace) {
    Duration floor = Duration.ofNanos((long) Math.ceil(windowMaxSeconds * 1e9)).plus(grace);
    return left.compareTo(floor) > 0 ? left : floor;
  }

  /**
   * Sends the memory seed; the clock starts before it leaves, never after.
   *
   * @return the session with the sending time recorded
   */
  public static Session send(ProverConversation prover, Session committed, Clock clock)
      throws BadMessageException {
    String line = KEYWORD + " " + MessageCodec.encode(committed.memorySeedMessage());
    Instant sent = clock.instant();
    prover.send(line);
    return committed.withMemorySent(sent);
  }

  /**
   * Takes the memory roots within {@code timeout} and draws the samples.
   *
   * @throws ProverFailure the prover did not answer in time, or not with memory roots for this
   *     commitment and seed (step 'memory')
   */
  public static Session receive(ProverConversation prover, Session sent, Validator v,
      Duration timeout, PrintWriter err) throws ProverFailure, BadMessageException {
    ProverProcess.Answer answer = prover.next(KEYWORD, timeout);
    Session s;
    try {
      s = v.sampleMemory(sent, answer.text(), answer.receivedAt());
    } catch (BadMessageException e) {
      throw ProverFailure.unusable(KEYWORD, "memory roots", e);
    }
    ChallengeMemory m = s.decodedChallenge().value().memory();
    double seconds = Duration.between(Instant.parse(s.memorySentAt()),
        answer.receivedAt()).toNanos() / 1e9;
    err.printf(java.util.Locale.ROOT, "validator: memory roots arrived %.3f s after the memory"
        + " seed was sent (%s)%n", seconds, ChallengeMemory.describe(m));
    err.flush();
    return s;
  }
}
