package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.challenge;
import static org.gpuattest.attestor.cli.LiveProver.prepare;
import static org.gpuattest.attestor.cli.LiveProver.ready;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Ready;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attestor prove --conversation} in-process (docs/protocol.md §3.2): the validator's
 * lines go in one at a time, each answer is read before the next line is sent, as
 * {@code validator attest} does; a wrong line is exit 2 with one error line, and stdin closing
 * part way is exit 3.
 */
class AttestorConversationTest {
  @TempDir Path dir;

  @Test
  void conversation_prepareToOpenings_answersEachLineInOneProcess() throws Exception {
    Challenge c = challenge(64, 3, 2, 4);
    try (LiveProver p = new LiveProver(dir)) {
      Ready ready = ready(p, c);
      p.send("ping 0a1b2c3d");
      assertEquals("pong 0a1b2c3d", p.answer());
      p.send("ping ff");
      assertEquals("pong ff", p.answer());
      String challengeText = MessageCodec.encode(c);
      p.send("go " + challengeText);
      Commitment commitment = MessageCodec.decode("commitment", p.answer(), Commitment.class)
          .value();
      assertEquals(Hex.encode(CommitmentDigest.challengeDigest(
          MessageCodec.base64("challenge", challengeText))), commitment.challengeDigest());
      assertEquals(2, commitment.devices().size());
      // The ready answer named the backend and devices the commitment reports (§4.7).
      assertEquals("cpu", ready.backend());
      assertEquals(commitment.devices().stream().map(DeviceReport::backend).distinct().toList(),
          List.of(ready.backend()));
      assertEquals(commitment.devices().stream().map(DeviceReport::name).toList(),
          ready.deviceNames());
      OpeningRequest request = new OpeningRequest(1, commitment.challengeDigest(),
          commitment.commitmentDigest(), List.of(new Sample(0, 1, 5), new Sample(1, 2, 63)));
      p.send(MessageCodec.encode(request));
      Openings o = MessageCodec.decode("openings", p.answer(), Openings.class).value();
      assertEquals(commitment.commitmentDigest(), o.commitmentDigest());
      assertEquals(2, o.openings().size());
      assertEquals(63, o.openings().get(1).row());
      assertArrayEquals(new Object[] {ExitCodes.OK}, new Object[] {p.exit()}, p.err::toString);
      assertTrue(p.err.toString().contains("attestor: ready: 2 device(s) allocated"),
          p.err.toString());
    }
  }

  @Test
  void go_anotherChallengeId_exit2OneLine() throws Exception {
    Challenge c = challenge(64, 1, 1, 1);
    try (LiveProver p = new LiveProver(dir)) {
      ready(p, c);
      p.send("go " + MessageCodec.encode(challenge(64, 1, 1, 1)));
      assertEquals(ExitCodes.BAD_INPUT, p.exit(), p.err::toString);
      assertTrue(p.lastErrLine().contains("challenge: not the prepared challenge: its id"),
          p.err.toString());
      assertTrue(p.stdout.isEmpty(), "no commitment: " + p.stdout);
    }
  }

  /**
   * A prover that trusts one validator (issue 10) prepares as usual, since the preparation is
   * not signed, and refuses at 'go' a challenge signed by another, before the timed work.
   */
  @Test
  void go_signedByAnUntrustedValidator_exit2AndNoCommitment() throws Exception {
    Ed25519PrivateKey trusted = Ed25519PrivateKey.generate(new java.security.SecureRandom());
    Ed25519PrivateKey stranger = Ed25519PrivateKey.generate(new java.security.SecureRandom());
    Path pub = java.nio.file.Files.writeString(dir.resolve("v.pub.pem"),
        trusted.publicKey().toPem());
    Challenge c = challenge(64, 1, 1, 1).signedBy(stranger);
    try (LiveProver p = new LiveProver(dir, "--validator-key", pub.toString())) {
      ready(p, c);
      p.send("go " + MessageCodec.encode(c));
      assertEquals(ExitCodes.BAD_INPUT, p.exit(), p.err::toString);
      assertEquals("attestor: challenge: signed by key " + stranger.publicKey().keyId()
          + ", which is not the trusted validator key (--validator-key)", p.lastErrLine());
      assertTrue(p.stdout.isEmpty(), "no commitment: " + p.stdout);
      assertFalse(p.err.toString().contains("committed"), p.err.toString());
    }
  }

  @Test
  void go_signedByTheTrustedValidator_commits() throws Exception {
    Ed25519PrivateKey trusted = Ed25519PrivateKey.generate(new java.security.SecureRandom());
    Path pub = java.nio.file.Files.writeString(dir.resolve("v.pub.pem"),
        trusted.publicKey().toPem());
    Challenge c = challenge(64, 1, 1, 1).signedBy(trusted);
    try (LiveProver p = new LiveProver(dir, "--validator-key", pub.toString())) {
      ready(p, c);
      p.send("go " + MessageCodec.encode(c));
      Commitment commitment = MessageCodec.decode("commitment", p.answer(), Commitment.class)
          .value();
      assertEquals(1, commitment.devices().size());
      assertFalse(p.err.toString().contains("any validator"), p.err.toString());
    }
  }

  @Test
  void go_sameIdOtherSize_exit2NamingTheSizes() throws Exception {
    Challenge c = challenge(64, 1, 1, 1);
    Challenge bigger = new Challenge(1, c.id(), c.seed(), 128, 1, 1, c.model(), c.issuedAt(),
        c.expiresAt(), 1, null, null);
    try (LiveProver p = new LiveProver(dir)) {
      ready(p, c);
      p.send("go " + MessageCodec.encode(bigger));
      assertEquals(ExitCodes.BAD_INPUT, p.exit(), p.err::toString);
      assertTrue(p.lastErrLine().contains("n=128, T=1, G=1 where n=64"), p.err.toString());
    }
  }

  @Test
  void unknownLineAfterReady_exit2NamingTheKeyword() throws Exception {
    try (LiveProver p = new LiveProver(dir)) {
      ready(p, challenge(64, 1, 1, 1));
      p.send("hello there");
      assertEquals(ExitCodes.BAD_INPUT, p.exit(), p.err::toString);
      assertTrue(p.lastErrLine().contains("expected 'go ...', got 'hello ...'"),
          p.err.toString());
    }
  }

  /** An old validator sends the bare challenge first: refused, pointing at the old command. */
  @Test
  void firstLineABareChallenge_exit2PointingAtProveChallenge() throws Exception {
    try (LiveProver p = new LiveProver(dir)) {
      p.send(MessageCodec.encode(challenge(64, 1, 1, 1)));
      assertEquals(ExitCodes.BAD_INPUT, p.exit(), p.err::toString);
      assertTrue(p.lastErrLine().contains("old single-message challenge goes to 'attestor"
          + " prove --challenge -'"), p.err.toString());
      assertTrue(p.stdout.isEmpty());
    }
  }

  @Test
  void stdinClosedAfterReady_exit3() throws Exception {
    try (LiveProver p = new LiveProver(dir)) {
      ready(p, challenge(64, 1, 1, 1));
      p.stdin.close();
      assertEquals(ExitCodes.RUNTIME, p.exit(), p.err::toString);
      assertTrue(p.lastErrLine().contains("stopped: standard input closed"), p.err.toString());
      assertTrue(p.err.toString().contains("attestor: standard input closed: the validator"
          + " has gone away"), p.err.toString());
    }
  }

  @Test
  void stdinClosedAfterCommitment_exit3() throws Exception {
    Challenge c = challenge(64, 1, 1, 1);
    try (LiveProver p = new LiveProver(dir)) {
      ready(p, c);
      p.send("go " + MessageCodec.encode(c));
      MessageCodec.decode("commitment", p.answer(), Commitment.class);
      p.stdin.close();
      assertEquals(ExitCodes.RUNTIME, p.exit(), p.err::toString);
      assertTrue(p.lastErrLine().contains("waiting for the opening request"), p.err.toString());
    }
  }

  @Test
  void prove_neitherChallengeNorConversation_exit2() {
    AttestorCliHarness.run("prove", "--backend", "cpu").assertBadInput(
        "give either --challenge or --conversation");
  }
}
