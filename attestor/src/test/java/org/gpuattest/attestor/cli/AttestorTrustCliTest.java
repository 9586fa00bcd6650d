package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.challenge;
import static org.gpuattest.attestor.cli.AttestorCliHarness.run;
import static org.gpuattest.attestor.cli.AttestorCliHarness.runWithDefaultConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attestor prove --validator-key} and the config file (issue 10): a prover that
 * answers only its validators refuses any other challenge with one line and exit 2, before
 * any work; the config's settings apply unless the command line gives its own.
 */
class AttestorTrustCliTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  @TempDir Path dir;
  private Ed25519PrivateKey validator;
  private Ed25519PrivateKey other;
  private Path validatorPub;
  private Path otherPub;
  private Path state;

  @BeforeEach
  void keys() throws IOException {
    validator = Ed25519PrivateKey.generate(RANDOM);
    other = Ed25519PrivateKey.generate(RANDOM);
    validatorPub = Files.writeString(dir.resolve("validator.pub.pem"),
        validator.publicKey().toPem());
    otherPub = Files.writeString(dir.resolve("other.pub.pem"), other.publicKey().toPem());
    state = dir.resolve("state");
  }

  private static String signed(Ed25519PrivateKey by) {
    return MessageCodec.encode(challenge(64, 1, 1, 4).signedBy(by));
  }

  private static String unsigned() {
    return MessageCodec.encode(challenge(64, 1, 1, 4));
  }

  private Result prove(String challengeText, String... extra) {
    List<String> args = new ArrayList<>(List.of("prove", "--backend", "cpu", "--challenge",
        challengeText, "--state", state.toString()));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  @Test
  void prove_signedByTheTrustedValidator_commits() {
    Result r = prove(signed(validator), "--validator-key", validatorPub.toString()).assertOk();
    assertEquals(1, r.out().lines().count(), r.describe());
    assertFalse(r.err().contains("any validator"), r.describe());
  }

  @Test
  void prove_oneOfSeveralTrusted_commits() {
    prove(signed(other), "--validator-key", validatorPub.toString(), "--validator-key",
        otherPub.toString()).assertOk();
  }

  @Test
  void prove_signedByAnotherValidator_exit2NamingItsKeyAndNoState() {
    prove(signed(other), "--validator-key", validatorPub.toString()).assertBadInput(
        "challenge: signed by key " + other.publicKey().keyId() + ", which is not the"
            + " trusted validator key (--validator-key)");
    assertFalse(Files.exists(state), "the state folder was touched");
  }

  @Test
  void prove_unsignedWithKeyBeforeTheSubcommand_exit2() {
    Result r = run("--validator-key", validatorPub.toString(), "prove", "--backend", "cpu",
        "--challenge", unsigned(), "--state", state.toString());
    r.assertBadInput("challenge: unsigned, but this prover answers only challenges signed by"
        + " its trusted validator key (--validator-key)");
    assertFalse(Files.exists(state));
  }

  @Test
  void prove_noValidatorKey_answersAndSaysAnyValidatorIsAnswered() {
    Result r = prove(unsigned()).assertOk();
    assertTrue(r.err().contains("attestor: this prover answers any validator's challenge (no"
        + " --validator-key given"), r.describe());
  }

  /** The keys are checked first: a bad key file is named even when the challenge is bad too. */
  @Test
  void prove_privateKeyAsValidatorKey_exit2BeforeTheChallengeIsRead() throws IOException {
    String pem = validator.toPem();
    Path privateFile = Files.writeString(dir.resolve("validator.pem"), pem);
    Result r = prove("not base64!", "--validator-key", privateFile.toString());
    r.assertBadInput("--validator-key " + privateFile + ": this file holds a private key where"
        + " a public key belongs");
    String body = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertFalse(r.err().contains(body.substring(0, 12)), "the private key was echoed");
  }

  @Test
  void prove_missingValidatorKeyFile_exit2NamingIt() {
    Path missing = dir.resolve("nope.pem");
    prove(signed(validator), "--validator-key", missing.toString())
        .assertBadInput("--validator-key: no such file " + missing);
  }

  @Test
  void prove_conversationWithBadValidatorKey_exit2BeforeReadingStdin() throws IOException {
    Path notAKey = Files.writeString(dir.resolve("notes.txt"), "hello\n");
    run("prove", "--conversation", "--validator-key", notAKey.toString())
        .assertBadInput("--validator-key " + notAKey + ": no PEM block found");
  }

  // --- the config file ---

  private Path config(String json) throws IOException {
    Path folder = Files.createDirectories(dir.resolve("home/attestor"));
    return Files.writeString(folder.resolve("config.json"), json);
  }

  @Test
  void config_default_validatorKeysRefuseAnotherValidator() throws IOException {
    Files.copy(validatorPub, Files.createDirectories(dir.resolve("home/attestor"))
        .resolve("v.pub.pem"));
    Path file = config("{\"version\":1,\"validatorKeys\":[\"v.pub.pem\"]}");
    Result refused = runWithDefaultConfig(file, "prove", "--backend", "cpu", "--challenge",
        signed(other), "--state", state.toString());
    refused.assertBadInput("which is not the trusted validator key (validatorKeys in " + file
        + ")");
    runWithDefaultConfig(file, "prove", "--backend", "cpu", "--challenge", signed(validator),
        "--state", state.toString()).assertOk();
  }

  /** --validator-key replaces the config's list; it does not add to it. */
  @Test
  void config_validatorKeyOnTheCommandLine_replacesTheConfigsList() throws IOException {
    Path file = config("{\"version\":1,\"validatorKeys\":[\"" + validatorPub + "\"]}");
    runWithDefaultConfig(file, "prove", "--backend", "cpu", "--challenge", signed(other),
        "--state", state.toString(), "--validator-key", otherPub.toString()).assertOk();
    runWithDefaultConfig(file, "--validator-key", otherPub.toString(), "prove", "--backend",
        "cpu", "--challenge", signed(validator), "--state", state.toString())
        .assertBadInput("(--validator-key)");
  }

  @Test
  void config_signingKeyStateAndBackend_usedWithPathsRelativeToTheFile() throws Exception {
    Ed25519PrivateKey prover = Ed25519PrivateKey.generate(RANDOM);
    Path file = config("{\"version\":1,\"signingKey\":\"prover.pem\",\"state\":\"st\","
        + "\"backend\":\"cpu\",\"devices\":[0]}");
    Files.writeString(file.resolveSibling("prover.pem"), prover.toPem());
    Result r = runWithDefaultConfig(file, "prove", "--challenge", unsigned()).assertOk();
    Commitment c = MessageCodec.decode("commitment", r.out().strip(), Commitment.class).value();
    assertEquals(prover.publicKey().toPem(), c.proverPublicKey());
    assertTrue(Files.isDirectory(file.resolveSibling("st").resolve(c.commitmentDigest())),
        "the config's state folder, beside the file");
    assertFalse(r.err().contains("no --signing-key"), r.describe());
  }

  @Test
  void config_missingSigningKey_exit2NamingTheConfig() throws Exception {
    Path file = config("{\"version\":1,\"signingKey\":\"nope.pem\",\"backend\":\"cpu\"}");
    runWithDefaultConfig(file, "prove", "--challenge", unsigned(), "--state", state.toString())
        .assertBadInput("signingKey in " + file + ": no such file "
            + file.resolveSibling("nope.pem"));
  }

  @Test
  void config_commandLineOverridesState() throws Exception {
    Path file = config("{\"version\":1,\"state\":\"st\",\"backend\":\"cpu\"}");
    Result r = runWithDefaultConfig(file, "--state", state.toString(), "prove", "--challenge",
        unsigned()).assertOk();
    Commitment c = MessageCodec.decode("commitment", r.out().strip(), Commitment.class).value();
    assertTrue(Files.isDirectory(state.resolve(c.commitmentDigest())));
    assertFalse(Files.exists(file.resolveSibling("st")), "the config's state was used");
  }

  /** Devices that do not fit are named where they were chosen: the config's field, or --devices. */
  @Test
  void config_devicesNotFitting_exit2NamingTheConfigFieldNotTheOption() throws Exception {
    Path file = config("{\"version\":1,\"backend\":\"cpu\",\"signingKey\":\"p.pem\","
        + "\"devices\":[0,1]}");
    Files.writeString(file.resolveSibling("p.pem"), Ed25519PrivateKey.generate(RANDOM).toPem());
    runWithDefaultConfig(file, "prove", "--challenge", unsigned(), "--state", state.toString())
        .assertBadInput("devices in " + file + ": it names 2 devices; the challenge claims 1");
    config("{\"version\":1,\"backend\":\"cpu\",\"signingKey\":\"p.pem\",\"devices\":[1000]}");
    Result r = runWithDefaultConfig(file, "prove", "--challenge", unsigned(), "--state",
        state.toString()).assertBadInput("devices in " + file + ": device 1000 does not exist");
    assertFalse(r.err().contains("--devices"), r.describe());
    // The command line's own choice is named as the option, before the subcommand too.
    runWithDefaultConfig(file, "prove", "--devices", "0,1,2", "--challenge", unsigned(),
        "--state", state.toString()).assertBadInput("attestor: --devices: it names 3 devices");
    runWithDefaultConfig(file, "--devices", "5,6", "prove", "--challenge", unsigned(),
        "--state", state.toString()).assertBadInput("attestor: --devices: it names 2 devices");
  }

  @Test
  void config_explicitFileMissing_exit2() {
    Path missing = dir.resolve("missing.json");
    run("--config", missing.toString(), "prove", "--challenge", unsigned())
        .assertBadInput("--config: " + missing + ": no such file");
  }

  @Test
  void config_badField_exit2NamingFileAndFieldBeforeAnyWork() throws IOException {
    Path file = config("{\"version\":1,\"backend\":\"gpu\"}");
    runWithDefaultConfig(file, "prove", "--challenge", unsigned(), "--state", state.toString())
        .assertBadInput("config file " + file + ": backend must be auto, cuda or cpu, got"
            + " 'gpu'");
    assertFalse(Files.exists(state));
    run("--config", file.toString(), "open", "--request", "AAAA")
        .assertBadInput("--config: " + file + ": backend must be");
  }

  @Test
  void config_defaultMissing_ignored() {
    runWithDefaultConfig(dir.resolve("none/config.json"), "prove", "--backend", "cpu",
        "--challenge", unsigned(), "--state", state.toString()).assertOk();
  }

  @Test
  void config_notReadByCommandsThatDoNotUseIt() throws IOException {
    Path file = config("{\"version\":2}");
    runWithDefaultConfig(file, "--help").assertOk();
    runWithDefaultConfig(file, "keygen", "--out", dir.resolve("k.pem").toString()).assertOk();
  }
}
