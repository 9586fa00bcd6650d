package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prover's trust rule (docs/protocol.md §6): with a list of validator keys, only a
 * challenge signed by one of them, with a signature that verifies, is answered, and a refused
 * one gets no device work.
 */
class TrustedValidatorsTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Ed25519PrivateKey VALIDATOR = Ed25519PrivateKey.generate(RANDOM);
  private static final Ed25519PrivateKey OTHER = Ed25519PrivateKey.generate(RANDOM);
  private static final Ed25519PrivateKey THIRD = Ed25519PrivateKey.generate(RANDOM);
  @TempDir Path dir;

  private static Challenge unsigned() throws BadMessageException {
    return ProverTest.challenge(64, 1, 1, Instant.now()).value();
  }

  private static TrustedValidators trusting(Ed25519PrivateKey... keys) {
    return TrustedValidators.of(java.util.Arrays.stream(keys)
        .map(Ed25519PrivateKey::publicKey).toList(), "--validator-key");
  }

  @Test
  void check_signedByATrustedKey_passes() throws Exception {
    assertDoesNotThrow(() -> trusting(OTHER, VALIDATOR).check(unsigned().signedBy(VALIDATOR)));
    assertDoesNotThrow(() -> trusting(VALIDATOR).check(unsigned().signedBy(VALIDATOR)));
  }

  /** The warm-up's copy trusts its throwaway key; the list itself is unchanged. */
  @Test
  void alsoTrusting_aList_copyTrustsTheKeyTheListStillRefusesIt() throws Exception {
    TrustedValidators list = trusting(VALIDATOR);
    TrustedValidators copy = list.alsoTrusting(THIRD.publicKey());
    assertDoesNotThrow(() -> copy.check(unsigned().signedBy(THIRD)));
    assertDoesNotThrow(() -> copy.check(unsigned().signedBy(VALIDATOR)));
    assertThrows(BadMessageException.class, () -> list.check(unsigned().signedBy(THIRD)));
    assertEquals(1, list.size());
    assertTrue(TrustedValidators.ANY.alsoTrusting(THIRD.publicKey()).trustsAny());
  }

  @Test
  void check_unsigned_refused() throws Exception {
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> trusting(VALIDATOR, OTHER).check(unsigned()));
    assertEquals("challenge: unsigned, but this prover answers only challenges signed by one"
        + " of its 2 trusted validator keys (--validator-key)", e.getMessage());
  }

  @Test
  void check_untrustedKey_refusedNamingItsKeyId() throws Exception {
    Challenge c = unsigned().signedBy(THIRD);
    BadMessageException two = assertThrows(BadMessageException.class,
        () -> trusting(VALIDATOR, OTHER).check(c));
    assertEquals("challenge: signed by key " + THIRD.publicKey().keyId() + ", which is"
        + " not one of the 2 trusted validator keys (--validator-key)", two.getMessage());
    BadMessageException one = assertThrows(BadMessageException.class,
        () -> trusting(VALIDATOR).check(c));
    assertTrue(one.getMessage().endsWith("which is not the trusted validator key"
        + " (--validator-key)"), one.getMessage());
  }

  /** The key is a trusted one, but the signature was made by another key. */
  @Test
  void check_trustedKeyWithAnotherKeysSignature_refused() throws Exception {
    Challenge byOther = unsigned().signedBy(OTHER);
    Challenge forged = withKeyAndSignature(byOther, VALIDATOR.publicKey().toPem(),
        byOther.signature());
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> trusting(VALIDATOR).check(forged));
    assertTrue(e.getMessage().startsWith("challenge: challenge signature: Ed25519 signature"
        + " does not verify"), e.getMessage());
    assertTrue(e.getMessage().contains(VALIDATOR.publicKey().keyId()), e.getMessage());
  }

  @Test
  void check_fieldChangedAfterSigning_refused() throws Exception {
    Challenge c = unsigned().signedBy(VALIDATOR);
    Challenge tampered = new Challenge(c.version(), c.id(), c.seed(), c.dim(),
        c.iterations() + 1, c.devices(), c.model(), c.issuedAt(), c.expiresAt(), c.samples(),
        c.validatorPublicKey(), c.signature());
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> trusting(VALIDATOR).check(tampered));
    assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
  }

  @Test
  void check_signatureNotBase64_refused() throws Exception {
    Challenge c = withKeyAndSignature(unsigned(), VALIDATOR.publicKey().toPem(), "not base64!");
    assertThrows(BadMessageException.class, () -> trusting(VALIDATOR).check(c));
  }

  @Test
  void check_keyFieldNotAKey_refusedWithoutQuotingIt() throws Exception {
    Challenge c = withKeyAndSignature(unsigned(), "-----BEGIN PUBLIC KEY-----\nc2VjcmV0IHRleHQ=\n"
        + "-----END PUBLIC KEY-----\n", Base64.getEncoder().encodeToString(new byte[64]));
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> trusting(VALIDATOR).check(c));
    assertTrue(e.getMessage().startsWith("challenge: validatorPublicKey: "), e.getMessage());
    assertFalse(e.getMessage().contains("c2VjcmV0"), e.getMessage());
  }

  @Test
  void any_acceptsUnsignedAndAnyKey() throws Exception {
    assertTrue(TrustedValidators.ANY.trustsAny());
    assertDoesNotThrow(() -> TrustedValidators.ANY.check(unsigned()));
    assertDoesNotThrow(() -> TrustedValidators.ANY.check(unsigned().signedBy(THIRD)));
  }

  /** Keys compare by their raw bytes: the same key in other PEM text, or twice, is one key. */
  @Test
  void load_sameKeyInOtherPemText_matchesAndCountsOnce() throws Exception {
    Path a = Files.writeString(dir.resolve("a.pub.pem"), VALIDATOR.publicKey().toPem());
    Path b = Files.writeString(dir.resolve("b.pub.pem"), "validator A, copied from a mail\n"
        + VALIDATOR.publicKey().toPem().replace("\n", "\r\n"));
    TrustedValidators t = TrustedValidators.load("--validator-key", List.of(a, b));
    assertEquals(1, t.size());
    TrustedValidators onlyB = TrustedValidators.load("--validator-key", List.of(b));
    assertDoesNotThrow(() -> onlyB.check(unsigned().signedBy(VALIDATOR)));
  }

  @Test
  void load_noFiles_isAny() throws Exception {
    assertTrue(TrustedValidators.load("--validator-key", List.of()).trustsAny());
  }

  @Test
  void load_missingFile_refusedNamingIt() {
    Path missing = dir.resolve("nope.pem");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> TrustedValidators.load("--validator-key", List.of(missing)));
    assertEquals("--validator-key: no such file " + missing, e.getMessage());
  }

  @Test
  void load_privateKeyByMistake_refusedAsSuchWithoutQuotingIt() throws Exception {
    String pem = VALIDATOR.toPem();
    Path f = Files.writeString(dir.resolve("validator.pem"), pem);
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> TrustedValidators.load("--validator-key", List.of(f)));
    assertTrue(e.getMessage().startsWith("--validator-key " + f + ": this file holds a private"
        + " key where a public key belongs"), e.getMessage());
    String body = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertFalse(e.getMessage().contains(body.substring(0, 12)), e.getMessage());
  }

  @Test
  void load_notAKey_refusedNamingTheFile() throws Exception {
    Path f = Files.writeString(dir.resolve("notes.txt"), "trust everyone\n");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> TrustedValidators.load("--validator-key", List.of(f)));
    assertEquals("--validator-key " + f + ": no PEM block found", e.getMessage());
  }

  /** prove: refused before the state folder is touched or a device prepared. */
  @Test
  void prove_untrustedChallenge_refusedBeforeAnyDeviceWork() throws Exception {
    FakeBackend b = FakeBackend.honest(1);
    MessageCodec.Decoded<Challenge> c = MessageCodec.decode("challenge",
        MessageCodec.encode(unsigned().signedBy(THIRD)), Challenge.class);
    Path state = dir.resolve("state");
    assertThrows(BadMessageException.class, () -> prover(b).trusting(trusting(VALIDATOR))
        .prove(c, List.of(), state));
    assertEquals(0, b.prepared.get(), "a device was prepared");
    assertFalse(Files.exists(state), "the state folder was touched");
  }

  /** The conversation: allocated at 'prepare', refused at 'go' with no timed work done. */
  @Test
  void preparedRun_untrustedChallenge_refusedBeforeTheTimedWork() throws Exception {
    FakeBackend b = FakeBackend.honest(1);
    Challenge challenge = unsigned();
    Prover p = prover(b).trusting(trusting(VALIDATOR));
    try (PreparedRun run = p.prepare(Preparation.of(challenge), List.of(), dir, true)) {
      MessageCodec.Decoded<Challenge> c = MessageCodec.decode("challenge",
          MessageCodec.encode(challenge), Challenge.class);
      BadMessageException e = assertThrows(BadMessageException.class, () -> run.run(c));
      assertTrue(e.getMessage().startsWith("challenge: unsigned"), e.getMessage());
      assertEquals(0, b.prepared.get(), "the seed reached a device");
      assertEquals(null, run.state(), "something was committed");
    }
  }

  @Test
  void preparedRun_trustedChallenge_commits() throws Exception {
    FakeBackend b = FakeBackend.honest(1);
    Challenge challenge = unsigned().signedBy(VALIDATOR);
    Prover p = prover(b).trusting(trusting(VALIDATOR));
    try (PreparedRun run = p.prepare(Preparation.of(challenge), List.of(), dir, true)) {
      run.run(MessageCodec.decode("challenge", MessageCodec.encode(challenge), Challenge.class));
      assertEquals(1, b.prepared.get());
    }
  }

  private static Prover prover(FakeBackend b) {
    return new Prover(b, ProverTest.KEY, new PrintWriter(new StringWriter()), Clock.systemUTC());
  }

  private static Challenge withKeyAndSignature(Challenge c, String pem, String signature) {
    return new Challenge(c.version(), c.id(), c.seed(), c.dim(), c.iterations(), c.devices(),
        c.model(), c.issuedAt(), c.expiresAt(), c.samples(), pem, signature);
  }
}
