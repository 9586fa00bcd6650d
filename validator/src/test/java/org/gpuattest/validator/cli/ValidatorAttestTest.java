package org.gpuattest.validator.cli;

import static org.gpuattest.validator.ScriptProvers.script;
import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.check.Verifier;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code validator attest} against provers that misbehave, and against a validator that is
 * misconfigured. A prover that fails is rejected with a verdict (exit 1) whose failing check
 * names what it did, in text and JSON; a fault on the validator's side is found before any
 * prover starts, and is never the prover's failure.
 */
class ValidatorAttestTest {
  @TempDir Path dir;

  /** A prover script that records that it was started, then runs {@code body}. */
  private String prover(String body) throws Exception {
    return script(dir, "prover", "touch '" + dir.resolve("started") + "'\n" + body);
  }

  private String[] attest(String prover, String... extra) {
    // The separate flow: these scripts answer one message each (the conversation has its own
    // tests, ProverConversationTest and AttestConversationTest); its clock starts at issue.
    List<String> args = new ArrayList<>(List.of("attest", "--separate", "--prover", prover,
        "--gpus", "1", "--model", MODEL, "--dim", "64", "--iterations", "1", "--weak-timing"));
    args.addAll(List.of(extra));
    if (!args.contains("--replay-dir")) {
      args.addAll(List.of("--replay-dir", dir.resolve("replay").toString()));
    }
    return args.toArray(String[]::new);
  }

  private boolean proverStarted() {
    return Files.exists(dir.resolve("started"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiterString = "=>", value = {
      "exit 3                                     => prover.exit    => exited with code 3",
      "exit 0                                     => prover.output  => wrote nothing",
      "echo garbage                               => prover.output  => not a usable commitment",
      "echo e30=                                  => prover.output  => not a usable commitment",
      "head -c 50000000 /dev/zero | tr '\\000' A  => prover.output  => more than any message",
      "sleep 30                                   => prover.timeout => within its deadline of 2 s"})
  void attest_misbehavingProver_exit1WithVerdictNamingIt(String body, String check,
      String words) throws Exception {
    String p = prover(body);
    Result json = assertTimeoutPreemptively(Duration.ofSeconds(40),
        () -> run(attest(p, "--json", "--prove-timeout", "2")));
    assertEquals(ExitCodes.REJECTED, json.code(), json.describe());
    Verdict v = Json.read("verdict", json.out().getBytes(), Verdict.class);
    assertFalse(v.passed());
    assertEquals(Check.FAIL, v.check(check).status());
    assertTrue(v.check(check).message().contains(words), v.check(check).message());
    assertEquals(1 + Verifier.CHECKS.size(), v.checks().size(), "every check is listed");
    for (String name : Verifier.CHECKS) {
      assertEquals(Check.SKIPPED, v.check(name).status(), name);
    }
    Result text = run(attest(p, "--prove-timeout", "2"));
    assertEquals(ExitCodes.REJECTED, text.code(), text.describe());
    assertTrue(text.out().lines().anyMatch(l -> l.startsWith("FAIL") && l.contains(check)),
        text.out());
    assertTrue(text.out().contains("verdict: FAIL"), text.out());
  }

  @Test
  void attest_printsExpiryAndDeadlines() throws Exception {
    Result r = run(attest(prover("exit 3"), "--open-timeout", "77"));
    assertTrue(r.err().contains("; expires at 2026-01-01T00:"), r.err());
    assertTrue(r.err().contains("the prover has ") && r.err().contains(" s for 'open'"),
        r.err());
    assertTrue(r.err().contains("and 77 s for 'open'"), r.err());
  }

  @Test
  void attest_unwritableReplayStore_exit3BeforeAnyProverStarts() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result r = run(attest(prover("exit 0"), "--replay-dir", file.resolve("used").toString()));
    assertEquals(ExitCodes.RUNTIME, r.code(), r.describe());
    assertEquals("", r.out());
    assertEquals(1, r.errLines(), r.describe());
    assertTrue(r.err().contains("--replay-dir: replay store"), r.err());
    assertFalse(proverStarted(), "the prover was asked to work");
  }

  @Test
  void attest_missingProverKey_exit2BeforeAnyProverStarts() throws Exception {
    run(attest(prover("exit 0"), "--prover-key", dir.resolve("absent.pub").toString()))
        .assertBadInput("--prover-key");
    assertFalse(proverStarted());
  }

  @Test
  void attest_privateKeyAsProverKey_exit2WithoutEchoingIt() throws Exception {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new java.security.SecureRandom());
    String pem = key.toPem();
    Path file = Files.writeString(dir.resolve("prover.pem"), pem);
    Result r = run(attest(prover("exit 0"), "--prover-key", file.toString()))
        .assertBadInput("--prover-key");
    assertTrue(r.err().contains("private key"), r.err());
    String body = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertFalse(r.err().contains(body.substring(0, 16)), "the key was echoed: " + r.err());
    assertFalse(proverStarted());
  }

  @Test
  void attest_sessionInMissingFolder_exit2BeforeAnyProverStarts() throws Exception {
    run(attest(prover("exit 0"), "--session", dir.resolve("no/such/s.json").toString()))
        .assertBadInput("--session");
    assertFalse(proverStarted());
    assertFalse(Files.exists(dir.resolve("no")));
  }

  @Test
  void attest_emptyProverCommand_exit2() {
    run(attest(" ")).assertBadInput("--prover");
  }

  @Test
  void attest_badTimeout_exit2NamingIt() throws Exception {
    run(attest(prover("exit 0"), "--prove-timeout", "0")).assertBadInput("--prove-timeout");
    assertFalse(proverStarted());
  }

  @Test
  void proverFailure_verdict_listsTheFailureFirst() {
    Verdict v = new ProverFailure(ProverFailure.EXIT, "open", "exit code 3", "exit code 0",
        "The prover's 'open' exited with code 3.").verdict("00".repeat(16));
    assertEquals(ProverFailure.EXIT, v.checks().get(0).name());
    assertEquals("skipped: the prover failed at 'open'", v.check("openings.exact").message());
  }
}
