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

/**
 * The start of the attest conversation (docs/protocol.md §3.2): the prover is told everything
 * but the seed ({@code prepare}), does its fixed start-up and says {@code ready}; one
 * {@code ping} measures the round trip; then {@code go} carries the signed challenge, and the
 * validator's clock starts at the moment it is sent ({@link Session#withGo}).
 */
public final class ReadyGo {
  /** How long the prover may take to answer a ping. */
  public static final Duration PONG_TIMEOUT = Duration.ofSeconds(10);

  private ReadyGo() {}

  /**
   * Runs prepare, ready, ping and go; returns the session with the go recorded.
   *
   * @throws ProverFailure the prover did not answer as §3.2 says, in time
   */
  public static Session start(ProverConversation prover, Session issued,
      Duration prepareTimeout, Clock clock, SecureRandom random, PrintWriter err)
      throws ProverFailure, BadMessageException {
    Challenge c = issued.decodedChallenge().value();
    long began = System.nanoTime();
    prover.send("prepare " + MessageCodec.encode(Preparation.of(c)));
    checkReady(prover.next("prepare", prepareTimeout).text(), c);
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

  private static void checkReady(String line, Challenge c) throws ProverFailure {
    if (!line.startsWith("ready ")) {
      throw ProverConversation.output("prepare", "not 'ready ...'",
          "answer is not 'ready <base64>' (a prover too old for the conversation? then use"
              + " 'validator attest --separate').");
    }
    Ready r;
    try {
      r = MessageCodec.decode("ready", line.substring(6), Ready.class).value();
    } catch (BadMessageException e) {
      throw ProverFailure.unusable("prepare", "ready answer", e);
    }
    if (!r.challengeId().equalsIgnoreCase(c.id()) || r.devices() != c.devices()) {
      throw ProverConversation.output("prepare", "ready for " + r.challengeId() + " on "
          + r.devices() + " device(s)", "ready answer is for another challenge or device"
          + " count than prepared.");
    }
  }
}
