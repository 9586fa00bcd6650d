package org.gpuattest.validator.check;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.ReplayGuard;

/** That the commitment answers this challenge, in time, once, and is signed. */
final class BindingChecks {
  private BindingChecks() {}

  static Check binding(Evidence e) {
    Commitment c = e.commitment();
    String expected = Hex.encode(CommitmentDigest.challengeDigest(e.challengeBytes()));
    if (!c.challengeDigest().equalsIgnoreCase(expected)) {
      return Check.fail("challenge.binding", c.challengeDigest(), expected,
          "The commitment answers another challenge (a replayed or misrouted commitment);"
              + " the prover must answer this challenge.");
    }
    String recomputed = Hex.encode(c.recomputedDigest());
    if (!c.commitmentDigest().equalsIgnoreCase(recomputed)) {
      return Check.fail("challenge.binding", c.commitmentDigest(), recomputed,
          "The commitment digest does not match its own device roots; the commitment was"
              + " altered after it was made.");
    }
    if (!e.openings().challengeDigest().equalsIgnoreCase(expected)
        || !e.openings().commitmentDigest().equalsIgnoreCase(recomputed)
        || !e.request().commitmentDigest().equalsIgnoreCase(recomputed)) {
      return Check.fail("challenge.binding", e.openings().commitmentDigest(), recomputed,
          "The openings answer a different commitment than the one received.");
    }
    return Check.pass("challenge.binding", expected.substring(0, 16) + "...",
        "SHA-256 of the issued challenge",
        "The commitment and openings are bound to this challenge.");
  }

  static Check expiry(Evidence e) {
    Instant received = e.receivedAt();
    Instant expires = e.challenge().expires();
    // Negative when it arrived late: how far inside (or past) the validity window it was.
    // Seconds and nanoseconds apart: toNanos() overflows past 292 years, which a session
    // edited by hand may hold.
    java.time.Duration left = java.time.Duration.between(received, expires);
    var figures = Figures.of("secondsBeforeExpiry", left.getSeconds() + left.getNano() / 1e9);
    if (received.isAfter(expires)) {
      return Check.fail("challenge.expiry", received.toString(), "<= " + expires,
          "The commitment arrived after the challenge expired; issue a new challenge.")
          .withFigures(figures);
    }
    return Check.pass("challenge.expiry", received.toString(), "<= " + expires,
        "The commitment arrived before the challenge expired.").withFigures(figures);
  }

  /**
   * Claims the challenge id. A store that cannot be written is the validator's fault, so it
   * throws rather than failing the prover.
   */
  static Check replay(Evidence e, ReplayGuard store, Instant now) throws IOException {
    if (!store.claim(e.challenge().id(), now)) {
      return Check.fail("challenge.replay", "id " + e.challenge().id() + " seen before",
          "a challenge id used once", "This challenge was already verified on this host;"
              + " a result is accepted once only.");
    }
    return Check.pass("challenge.replay", "id " + e.challenge().id() + " first use",
        "a challenge id used once", "First verification of this challenge on this host.");
  }

  static List<Check> signatures(Evidence e) {
    Check challengeSig;
    if (e.challenge().validatorPublicKey() == null) {
      challengeSig = Check.skipped("signature.challenge", "the challenge was issued unsigned");
    } else {
      try {
        e.challenge().verifySignature();
        challengeSig = Check.pass("signature.challenge", "valid", "valid Ed25519",
            "The challenge carries this validator's valid signature.");
      } catch (VerificationException ex) {
        challengeSig = Check.fail("signature.challenge", "invalid", "valid Ed25519",
            ex.getMessage());
      }
    }
    return List.of(challengeSig, proverSignature(e));
  }

  private static Check proverSignature(Evidence e) {
    Commitment c = e.commitment();
    Ed25519PublicKey key;
    try {
      key = Ed25519PublicKey.fromPem("proverPublicKey", c.proverPublicKey());
    } catch (BadMessageException ex) {
      return Check.fail("signature.prover", "unreadable key", "an Ed25519 public key",
          ex.getMessage());
    }
    try {
      key.verify("commitment signature", c.signingBytes(), c.signature());
    } catch (VerificationException ex) {
      return Check.fail("signature.prover", "invalid", "valid Ed25519",
          "The commitment's signature does not verify: it was forged or altered.");
    }
    if (e.options().pinnedProverKey().isPresent()
        && !e.options().pinnedProverKey().get().sameKeyAs(key)) {
      // Key ids, as every other message names keys (docs/protocol.md section 6); the keys
      // themselves were compared, whole.
      return Check.fail("signature.prover", "key " + key.keyId(),
          "key " + e.options().pinnedProverKey().get().keyId() + " (pinned)",
          "The commitment is signed by a key other than the pinned --prover-key.");
    }
    String pinned = e.options().pinnedProverKey().isPresent() ? "pinned key" : "key in message";
    return Check.pass("signature.prover", "valid", "valid Ed25519 (" + pinned + ")",
        "The commitment is signed by key " + key.keyId() + ".");
  }
}
