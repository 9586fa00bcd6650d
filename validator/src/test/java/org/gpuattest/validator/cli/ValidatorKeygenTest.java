package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator keygen' (issue 10): the validator's own key pair, the private half for
 * 'validator challenge|attest --signing-key', the public half for the provers'
 * '--validator-key'.
 */
class ValidatorKeygenTest {
  @TempDir Path dir;

  @Test
  void keygen_newFile_writesPrivatePem0600AndPrintsItsPublicKey() throws Exception {
    Path key = dir.resolve("validator.pem");
    Result r = run("keygen", "--out", key.toString()).assertOk();
    String pem = Files.readString(key);
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), pem);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    Ed25519PublicKey printed = Ed25519PublicKey.fromPem("stdout", r.out());
    assertTrue(r.out().startsWith("-----BEGIN PUBLIC KEY-----\n"), r.describe());
    assertTrue(Ed25519PrivateKey.fromPem("file", pem).publicKey().sameKeyAs(printed),
        "stdout holds the public half of the key written");
    assertEquals("validator keygen: private key written to " + key + " (mode 0600); public key"
        + " id " + printed.keyId() + "\n", r.err());
    assertFalse(r.err().contains(pem.lines().skip(1).findFirst().orElseThrow()),
        "the private key is not echoed");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(key), files.toList(), "no temporary file is left beside the key");
    }
  }

  @Test
  void keygen_twice_twoDifferentKeys() throws Exception {
    Result a = run("keygen", "--out", dir.resolve("a.pem").toString()).assertOk();
    Result b = run("keygen", "--out", dir.resolve("b.pem").toString()).assertOk();
    assertFalse(Ed25519PublicKey.fromPem("a", a.out())
        .sameKeyAs(Ed25519PublicKey.fromPem("b", b.out())));
  }

  @Test
  void keygen_existingFile_exit2AndFileUnchanged() throws Exception {
    Path key = dir.resolve("validator.pem");
    byte[] before = "an existing key\n".getBytes(StandardCharsets.US_ASCII);
    Files.write(key, before);
    run("keygen", "--out", key.toString()).assertBadInput("refusing to overwrite a key");
    assertArrayEquals(before, Files.readAllBytes(key));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(key), files.toList());
    }
  }

  @Test
  void keygen_missingFolder_exit2AndNothingCreated() {
    run("keygen", "--out", dir.resolve("typo/validator.pem").toString())
        .assertBadInput("does not exist");
    assertFalse(Files.exists(dir.resolve("typo")));
  }

  @Test
  void keygen_noOut_exit2NamingOut() {
    run("keygen").assertBadInput("--out");
  }

  /** The pair is what 'challenge --signing-key' takes and what a prover checks against. */
  @Test
  void keygen_keySignsChallengesThatVerifyAgainstThePrintedPublicKey() throws Exception {
    Path key = dir.resolve("validator.pem");
    Ed25519PublicKey printed =
        Ed25519PublicKey.fromPem("stdout", run("keygen", "--out", key.toString()).out());
    Result issued = run("challenge", "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "1", "--weak-timing", "--signing-key", key.toString(), "--session",
        dir.resolve("session.json").toString()).assertOk();
    Challenge c = MessageCodec.decode("challenge", issued.out().trim(), Challenge.class).value();
    c.verifySignature();
    assertTrue(Ed25519PublicKey.fromPem("key", c.validatorPublicKey()).sameKeyAs(printed));
  }
}
