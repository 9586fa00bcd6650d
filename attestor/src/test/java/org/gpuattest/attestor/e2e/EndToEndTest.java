package org.gpuattest.attestor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole exchange as a user runs it: {@code validator attest} starts the real attestor in
 * another JVM (as {@code java -jar attestor.jar} would), feeds it the challenge and the opening
 * request on stdin, and verifies. Also the step-by-step form, by hand, with the same two CLIs.
 */
class EndToEndTest {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  @TempDir Path home;

  /** The attestor as a command line: this JVM's java and this test's class path. */
  private String proverCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' "
        + "org.gpuattest.attestor.cli.AttestorCli";
  }

  private Result validator(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ValidatorCli.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int code, String out, String err) {}

  private List<String> attestArgs(String... extra) {
    List<String> args = new ArrayList<>(List.of("attest",
        "--prover", "GPU_ATTEST_HOME='" + home + "' " + proverCommand() + " --debug",
        "--gpus", "2", "--model", MODEL, "--dim", "128", "--iterations", "4",
        "--replay-dir", home.resolve("replay").toString()));
    args.addAll(List.of(extra));
    return args;
  }

  @Test
  void attest_cpuProverWithAllowCpu_passesAndListsEveryCheck() throws BadMessageException {
    Result r = validator(attestArgs("--allow-cpu", "--json").toArray(new String[0]));
    assertEquals(0, r.code(), r.err() + r.out());
    Verdict v = Json.read("verdict", r.out().getBytes(), Verdict.class);
    assertTrue(v.passed());
    // the 19 checks and the memory phase's two (docs/protocol.md section 8.3)
    assertEquals(21, v.checks().size(), "every check has a line");
    assertEquals(Check.PASS, v.check("openings.exact").status());
    assertEquals(Check.PASS, v.check("memory.exact").status());
    assertEquals("skipped: cpu backend", v.check("memory.window").message());
    assertEquals("skipped: cpu backend", v.check("sm.coverage").message());
    assertTrue(r.err().contains("prover: attestor: cpu backend, 2 devices, n=128, T=4"),
        r.err());
    assertTrue(r.err().contains("; expires at "), r.err());
    assertTrue(r.err().contains("s to answer 'prove' and "), r.err());
  }

  /**
   * The attest conversation (docs/protocol.md §3.2): one prover process from prepare to
   * openings, and the session records when the seed went out and the measured round trip.
   */
  @Test
  void attest_conversation_oneProverProcessAndSessionRecordsTheGo() throws Exception {
    Path starts = home.resolve("starts");
    Path session = home.resolve("session.json");
    Result r = validator("attest", "--prover", "echo started >> '" + starts + "'; "
        + "GPU_ATTEST_HOME='" + home + "' exec " + proverCommand(), "--allow-cpu", "--json",
        "--gpus", "1", "--model", MODEL, "--dim", "64", "--iterations", "2",
        "--replay-dir", home.resolve("replay").toString(), "--session", session.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    assertEquals(List.of("started"), Files.readAllLines(starts), "one prover process");
    assertTrue(r.err().contains("validator: prover ready in "), r.err());
    assertTrue(r.err().contains("; seed sent, clock started"), r.err());
    assertTrue(r.err().contains("after the seed was sent"), r.err());
    com.fasterxml.jackson.databind.JsonNode saved =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(session.toFile());
    java.time.Instant go = java.time.Instant.parse(saved.get("goSentAt").asText());
    java.time.Instant issued = java.time.Instant.parse(saved.get("issuedAt").asText());
    java.time.Instant received = java.time.Instant.parse(saved.get("receivedAt").asText());
    assertTrue(!go.isBefore(issued) && go.isBefore(received), go + " " + issued + " " + received);
    long rtt = saved.get("roundTripNanos").asLong();
    assertTrue(rtt > 0 && rtt < 10_000_000_000L, "round trip " + rtt);
  }

  /** The old two-process flow stays available for provers without the conversation. */
  @Test
  void attest_separate_twoProverProcessesAndNoGoRecorded() throws Exception {
    Path starts = home.resolve("starts");
    Path session = home.resolve("session.json");
    Result r = validator("attest", "--separate", "--prover", "echo started >> '" + starts
        + "'; GPU_ATTEST_HOME='" + home + "' exec " + proverCommand(), "--allow-cpu",
        "--gpus", "1", "--model", MODEL, "--dim", "64", "--iterations", "1",
        "--replay-dir", home.resolve("replay").toString(), "--session", session.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    assertEquals(List.of("started", "started"), Files.readAllLines(starts));
    assertTrue(!Files.readString(session).contains("goSentAt"), Files.readString(session));
  }

  /**
   * The commitment's own check, with --separate (no ready answer to refuse early; the
   * conversation refuses a CPU at 'ready': AttestConversationEndToEndTest).
   */
  @Test
  void attest_separateCpuProverWithoutAllowCpu_rejectedByBackendCheck()
      throws BadMessageException {
    Result r = validator(attestArgs("--json", "--weak-timing", "--separate")
        .toArray(new String[0]));
    assertEquals(1, r.code(), r.err());
    Verdict v = Json.read("verdict", r.out().getBytes(), Verdict.class);
    assertEquals(Check.FAIL, v.check("devices.backend").status());
    assertEquals(Check.PASS, v.check("openings.exact").status(), "the work itself was exact");
  }

  /** An operator's setup: a prover key, options before the subcommand, the key pinned. */
  @Test
  void attest_proverKeyPinnedAndOptionsBeforeSubcommand_passesWithPinnedSignature()
      throws Exception {
    Path proverKey = home.resolve("prover.pem");
    Result keygen = attestor("keygen", "--out", proverKey.toString());
    assertEquals(0, keygen.code(), keygen.err());
    Path publicKey = home.resolve("prover.pub");
    Files.writeString(publicKey, keygen.out());
    Path otherKey = home.resolve("other.pem");
    Path otherPublic = home.resolve("other.pub");
    Files.writeString(otherPublic, attestor("keygen", "--out", otherKey.toString()).out());
    String prover = proverCommand() + " --signing-key '" + proverKey + "' --state '"
        + home.resolve("prover-state") + "' --backend cpu";
    String[] common = {"attest", "--prover", prover, "--allow-cpu", "--json", "--gpus", "1",
        "--model", MODEL, "--dim", "64", "--iterations", "2", "--samples", "16",
        "--replay-dir", home.resolve("replay").toString(), "--prover-key"};
    Result pinned = validator(concat(common, publicKey.toString()));
    assertEquals(0, pinned.code(), pinned.err() + pinned.out());
    Verdict v = Json.read("verdict", pinned.out().getBytes(), Verdict.class);
    assertTrue(v.check("signature.prover").expected().contains("pinned key"));
    assertTrue(Files.isDirectory(home.resolve("prover-state")), "--state before 'prove' used");
    Result wrongPin = validator(concat(common, otherPublic.toString()));
    assertEquals(1, wrongPin.code(), wrongPin.err());
    Verdict rejected = Json.read("verdict", wrongPin.out().getBytes(), Verdict.class);
    assertEquals(Check.FAIL, rejected.check("signature.prover").status());
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  @Test
  void attest_proverCommandFails_rejectedWithProverExitCheck() throws BadMessageException {
    Result r = validator("attest", "--prover", "false", "--allow-cpu", "--gpus", "1",
        "--model", MODEL, "--dim", "64", "--iterations", "1", "--json",
        "--replay-dir", home.resolve("replay").toString());
    assertEquals(1, r.code(), r.err());
    Verdict v = Json.read("verdict", r.out().getBytes(), Verdict.class);
    assertEquals(Check.FAIL, v.check("prover.exit").status());
    assertTrue(v.check("prover.exit").message().contains("exited with code 1 at 'prepare'"),
        v.check("prover.exit").message());
  }

  @Test
  void stepByStep_challengeSampleVerify_passesThenReplayIsRejected() throws Exception {
    Path session = home.resolve("session.json");
    Path stateDir = home.resolve("state");
    Result challenge = validator("challenge", "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--samples", "16", "--weak-timing", "--session",
        session.toString());
    assertEquals(0, challenge.code(), challenge.err());
    Result commitment = attestor("prove", "--backend", "cpu", "--challenge",
        challenge.out().trim(), "--state", stateDir.toString());
    assertEquals(0, commitment.code(), commitment.err());
    Path commitmentFile = home.resolve("commitment.b64");
    Files.writeString(commitmentFile, commitment.out());
    Result request = validator("sample", "--session", session.toString(), "--commitment",
        "@" + commitmentFile);
    assertEquals(0, request.code(), request.err());
    Result openings = attestor("open", "--request", request.out().trim(), "--state",
        stateDir.toString());
    assertEquals(0, openings.code(), openings.err());
    String[] verify = {"verify", "--session", session.toString(), "--openings",
        openings.out().trim(), "--allow-cpu", "--replay-dir", home.resolve("r").toString()};
    Result first = validator(verify);
    assertEquals(0, first.code(), first.out() + first.err());
    assertTrue(first.out().contains("verdict: PASS"), first.out());
    Result again = validator(verify);
    assertEquals(1, again.code(), again.out());
    assertTrue(again.out().lines().anyMatch(l -> l.startsWith("FAIL") && l.contains(
        "challenge.replay")), again.out());
  }

  private Result attestor(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = org.gpuattest.attestor.cli.AttestorCli.run(args,
        new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }
}
