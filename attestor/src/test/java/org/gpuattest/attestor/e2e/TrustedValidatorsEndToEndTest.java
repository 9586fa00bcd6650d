package org.gpuattest.attestor.e2e;

import static org.gpuattest.attestor.e2e.BothTools.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.attestor.e2e.BothTools.Result;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prover that trusts only its validators (issue 10), through both CLIs as an operator sets
 * it up: 'validator keygen' makes the validator's key, 'validator attest --signing-key' signs
 * its challenges, and the real attestor, in another JVM, trusts the public key by
 * --validator-key or by its config file. A challenge from any other validator, or an unsigned
 * one, fails the attestation at 'go' with the prover's refusal shown, and no work is done.
 */
class TrustedValidatorsEndToEndTest {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  @TempDir Path home;
  private Path validatorKey;
  private Path validatorPub;
  private Path state;

  /** The attestor as a command line in its own home (so it reads no one else's config). */
  private String prover(String... options) {
    return BothTools.proverCommand(home) + " --backend cpu --state '" + state + "' "
        + String.join(" ", options);
  }

  private Result attest(String prover, String... extra) {
    List<String> args = new ArrayList<>(List.of("attest", "--prover", prover, "--allow-cpu",
        "--json", "--gpus", "1", "--model", MODEL, "--dim", "64", "--iterations", "2",
        "--samples", "16", "--replay-dir", home.resolve("replay").toString()));
    args.addAll(List.of(extra));
    return validator(args.toArray(String[]::new));
  }

  /** 'validator keygen', its public key saved as an operator would: {@code > name.pub.pem}. */
  private Path keygen(String name) throws IOException {
    Result r = validator("keygen", "--out", home.resolve(name + ".pem").toString());
    assertEquals(0, r.code(), r.err());
    return Files.writeString(home.resolve(name + ".pub.pem"), r.out());
  }

  @BeforeEach
  void validatorKeys() throws IOException {
    state = home.resolve("prover-state");
    validatorPub = keygen("validator");
    validatorKey = home.resolve("validator.pem");
  }

  @Test
  void attest_signedByTheTrustedValidator_passes() throws Exception {
    Result r = attest(prover("--validator-key '" + validatorPub + "'"), "--signing-key",
        validatorKey.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    Verdict v = Json.read("verdict", r.out().getBytes(), Verdict.class);
    assertTrue(v.passed());
    assertEquals(Check.PASS, v.check("signature.challenge").status());
    assertFalse(r.err().contains("any validator"), r.err());
  }

  /** The prover's config trusts this validator; another signs: refused at 'go', no work. */
  @Test
  void attest_anotherValidatorsKeyWithTheConfigTrustingThisOne_failsWithTheRefusal()
      throws Exception {
    Path otherPub = keygen("other");
    Path config = Files.createDirectories(home.resolve("attestor")).resolve("config.json");
    Files.writeString(config, "{\"version\": 1, \"validatorKeys\": [\"../validator.pub.pem\"]}");
    Result r = attest(prover(), "--signing-key", home.resolve("other.pem").toString());
    assertRefusedAtGo(r, "prover: attestor: challenge: signed by key "
        + Ed25519PublicKey.fromPem("other", Files.readString(otherPub)).keyId()
        + ", which is not the trusted validator key (validatorKeys in " + config + ")");
  }

  @Test
  void attest_unsignedChallengeToATrustingProver_failsWithTheRefusal() throws Exception {
    Result r = attest(prover("--validator-key '" + validatorPub + "'"));
    assertRefusedAtGo(r, "prover: attestor: challenge: unsigned, but this prover answers only"
        + " challenges signed by its trusted validator key (--validator-key)");
  }

  private void assertRefusedAtGo(Result r, String refusal) throws Exception {
    assertEquals(1, r.code(), r.err() + r.out());
    Verdict v = Json.read("verdict", r.out().getBytes(), Verdict.class);
    Check exit = v.check("prover.exit");
    assertEquals(Check.FAIL, exit.status());
    assertTrue(exit.message().contains("exited with code 2 at 'go'"), exit.message());
    assertTrue(r.err().contains(refusal), r.err());
    assertFalse(r.err().contains("attestor: committed"), "work was done: " + r.err());
    try (Stream<Path> kept = Files.list(state)) {
      assertEquals(List.of(), kept.toList(), "the prover kept state for a refused challenge");
    }
  }
}
