package org.gpuattest.validator;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Ready;
import org.gpuattest.common.util.Hex;
import org.gpuattest.common.util.Printable;

/**
 * The start of the attest conversation (docs/protocol.md §3.2): the prover is told everything
 * but the seed ({@code prepare}), does its fixed start-up and says {@code ready}; one
 * {@code ping} measures the round trip; then {@code go} carries the signed challenge, and the
 * validator's clock starts at the moment it is sent ({@link Session#withGo}). A ready answer
 * that already fails a check of the commitment ends it before {@code go} ({@link ReadyChecks}).
 */
public final class ReadyGo {
  /** How long the prover may take to answer a ping. */
  public static final Duration PONG_TIMEOUT = Duration.ofSeconds(10);
  /** The first characters of an unexpected first line that a refusal shows, escaped. */
  static final int SHOWN_CHARS = 40;

  private ReadyGo() {}

  /**
   * Runs prepare, ready, ping and go; returns the session with the go recorded.
   *
   * @param allowCpu whether a prover on the CPU backend is accepted (--allow-cpu); without
   *     it, a ready answer naming the CPU ends the attestation before 'go' ({@link
   *     ReadyChecks})
   * @throws ProverFailure the prover did not answer as §3.2 says, in time, or its ready answer
   *     already fails a check of the commitment; then no 'go' was sent
   */
  public static Session start(ProverConversation prover, Session issued,
      Duration prepareTimeout, Clock clock, SecureRandom random, PrintWriter err,
      boolean allowCpu) throws ProverFailure, BadMessageException {
    Challenge c = issued.decodedChallenge().value();
    long began = System.nanoTime();
    prover.send("prepare " + MessageCodec.encode(Preparation.of(c)));
    ReadyChecks.check(ready(prover.next("prepare", prepareTimeout).text(), c), c, allowCpu);
    long readyNanos = System.nanoTime() - began;
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    String ping = Hex.encode(nonce);
    long pingSent = System.nanoTime();
    prover.send("ping " + ping);
    String pong = prover.next("ready", PONG_TIMEOUT).text();
    long roundTrip = System.nanoTime() - pingSent;
    if (!pong.equals("pong " + ping)) {
      throw ProverConversation.output("ready", "not 'pong' with the nonce",
          "answer to 'ping' is not 'pong' with the same nonce.");
    }
    Instant sent = clock.instant(); // the clock starts before the seed leaves, never after
    prover.send("go " + issued.challenge());
    err.printf("validator: prover ready in %.3f s; round trip %.1f ms; seed sent, clock"
        + " started%n", readyNanos / 1e9, roundTrip / 1e6);
    err.flush();
    return issued.withGo(sent, roundTrip);
  }

  private static Ready ready(String line, Challenge c) throws ProverFailure {
    if (!line.startsWith("ready ")) {
      throw ProverConversation.output("prepare", "not 'ready ...'",
          "answer is not 'ready <base64>'; it begins \"" + shown(line) + "\". Something"
              + " wrote to the prover's standard output before it: a login banner, or a shell"
              + " start-up file (.bashrc, .profile) printing on a non-interactive shell;"
              + " silence it for the prover command. Or a prover too old for the"
              + " conversation: then use 'validator attest --separate'.");
    }
    Ready r;
    try {
      r = MessageCodec.decode("ready", line.substring(6), Ready.class).value();
    } catch (BadMessageException e) {
      throw ProverFailure.unusable("prepare", "ready answer", e);
    }
    if (!r.challengeId().equalsIgnoreCase(c.id())) {
      throw ProverConversation.output("prepare", "ready for " + r.challengeId(),
          "ready answer is for another challenge than prepared.");
    }
    return r;
  }

  /** At most {@link #SHOWN_CHARS} characters of a prover's line, escaped to print safely. */
  static String shown(String line) {
    return line.length() <= SHOWN_CHARS ? Printable.escape(line)
        : Printable.escape(line.substring(0, SHOWN_CHARS)) + "...";
  }
}
