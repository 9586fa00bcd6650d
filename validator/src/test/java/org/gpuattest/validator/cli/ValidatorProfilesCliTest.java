package org.gpuattest.validator.cli;

import static org.gpuattest.validator.ScriptProvers.script;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.schema.Schemas;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 'validator --profiles FILE': a model that only the operator's file names is challenged,
 * sampled and verified through the separate commands; a bad file is refused with one line per
 * bad entry, before any file is written or any prover started.
 */
class ValidatorProfilesCliTest {
  private static final String NEW = "Acme X1";
  private static final Clock TEN_S_LATER =
      Clock.fixed(ValidatorCliHarness.NOW.plusSeconds(10), ZoneOffset.UTC);

  @TempDir Path dir;

  private static Result runAt(Clock clock, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ValidatorCli.run(args, InputStream.nullInputStream(), new PrintWriter(out),
        new PrintWriter(err), new Environment(clock, new SecureRandom(), GpuProfiles.bundled()));
    return new Result(code, out.toString(), err.toString());
  }

  private Path profiles(String body) throws Exception {
    return Files.writeString(dir.resolve("ops.json"), "{\"version\": 1, \"profiles\": ["
        + body + "]}");
  }

  private static String entry(String model, int sms) {
    return "{\"model\": \"" + model + "\", \"smCount\": " + sms + ", \"memoryGiB\": 48,"
        + " \"fp64Tflops\": 2.0, \"fp64TensorTflops\": 2.0, \"canonicalTflops\": 1.0,"
        + " \"canonicalMeasured\": false}";
  }

  @Test
  void modelOnlyInTheFile_challengedSampledAndVerified() throws Exception {
    Path file = profiles(entry(NEW, 84));
    Path session = dir.resolve("session.json");
    run("challenge", "--gpus", "1", "--model", NEW, "--dim", "64", "--iterations", "2",
        "--samples", "8", "--weak-timing", "--session", session.toString())
        .assertBadInput("--model: unknown GPU model 'Acme X1'");
    assertFalse(Files.exists(session));

    // The option may stand before the subcommand or after it.
    String challenge = run("--profiles", file.toString(), "challenge", "--gpus", "1",
        "--model", NEW, "--dim", "64", "--iterations", "2", "--samples", "8", "--weak-timing",
        "--session", session.toString()).assertOk().out().strip();
    MessageCodec.Decoded<Challenge> decoded =
        MessageCodec.decode("challenge", challenge, Challenge.class);
    assertEquals(NEW, decoded.value().model());

    TestProver prover = new TestProver(Harness.key("prover"), TestProver.Hardware.CPU,
        TestProver.Cheats.HONEST, GpuProfiles.bundled());
    String commitment = MessageCodec.encode(prover.commit(decoded));
    // The commitment and openings arrive 10 s after the issue: the barriers' run fits.
    runAt(TEN_S_LATER, "sample", "--profiles", file.toString(), "--session",
        session.toString(), "--commitment", commitment).assertOk();
    Session sampled = Session.load(session);
    String openings = MessageCodec.encode(prover.open(sampled.decodedRequest()));
    Path archive = dir.resolve("archive");
    Result verdict = runAt(TEN_S_LATER, "verify", "--profiles", file.toString(), "--session",
        session.toString(), "--openings", openings, "--allow-cpu", "--replay-dir",
        dir.resolve("replay").toString(), "--archive", archive.toString()).assertOk();
    assertTrue(verdict.out().contains("verdict: PASS"), verdict.describe());

    // The archive keeps the bounds the verdict was held to (docs/protocol.md 8.5), a table
    // in the profile file format: re-verification needs no --profiles to know the model.
    Path folder;
    try (var dates = Files.list(archive); var ids = Files.list(dates.findFirst().orElseThrow())) {
      folder = ids.findFirst().orElseThrow();
    }
    JsonNode kept = new ObjectMapper().readTree(folder.resolve("record.json").toFile())
        .get("profiles");
    assertEquals(List.of(), Schemas.errors("gpu-profiles", kept.toString()), kept.toString());
    assertEquals(NEW, kept.get("profiles").get(0).get("model").asText());
    assertEquals(1, kept.get("profiles").size());
    Result again = run("reverify", folder.toString(), "--validator-key",
        dir.resolve("archive-key.pub.pem").toString()).assertOk();
    assertTrue(again.err().contains("held to the GPU profile bounds the record kept"),
        again.describe());
    assertTrue(again.err().contains("matches the recorded verdict"), again.describe());
  }

  @Test
  void severalBadEntries_oneLineEachAndExit2BeforeAnythingIsWritten() throws Exception {
    Path file = profiles(entry(NEW, 0) + ", " + entry("Acme X2", 8) + ", "
        + entry("Acme X3", 8).replace("smCount", "smcount") + ", " + entry(NEW, 8));
    Path session = dir.resolve("session.json");
    Result r = run("challenge", "--profiles", file.toString(), "--gpus", "1", "--model",
        "Acme X2", "--iterations", "1", "--weak-timing", "--session", session.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.describe());
    assertEquals("", r.out());
    r.assertNoStackTrace();
    String prefix = "validator: --profiles " + file + ": ";
    assertEquals(List.of(
        prefix + "profiles[0] (\"Acme X1\"): smCount must be in [1, 1024], got 0",
        prefix + "profiles[2] (\"Acme X3\"): unknown field 'smcount' (did you mean"
            + " 'smCount'?)",
        prefix + "profiles[3] (\"Acme X1\"): the model is also at profiles[0]; name each model"
            + " once"), r.err().strip().lines().toList());
    assertFalse(Files.exists(session), "no session for a validator misconfigured");
  }

  /**
   * Where no profile is read, '--profiles' was accepted and ignored: refused (exit 2, one line)
   * before the command does anything, wherever it stands, and absent from that command's help.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"fleet ARCHIVE", "prune --older-than 30 --archive-only --dry-run"
      + " --archive ARCHIVE", "spec philox --philox-key 0,0 --counter 0,0,0,0",
      "keygen --out KEY"})
  void profiles_withACommandThatReadsNone_exit2BeforeItRuns(String command) throws Exception {
    Path file = profiles(entry(NEW, 84));
    List<String> words = new ArrayList<>();
    for (String w : command.split(" ")) {
      words.add(w.replace("ARCHIVE", dir.resolve("archive").toString())
          .replace("KEY", dir.resolve("key.pem").toString()));
    }
    String name = words.get(0);
    List<String> after = new ArrayList<>(words);
    after.addAll(List.of("--profiles", file.toString()));
    List<String> before = new ArrayList<>(List.of("--profiles", file.toString()));
    before.addAll(words);
    for (List<String> args : List.of(after, before)) {
      run(args.toArray(String[]::new)).assertBadInput("validator " + name
          + (name.equals("spec") ? " philox" : "") + ": --profiles: this command reads no GPU"
          + " profiles; only challenge, sample, verify, attest and reverify do");
    }
    assertFalse(Files.exists(dir.resolve("key.pem")), "keygen wrote nothing");
    assertFalse(Files.exists(dir.resolve("archive")), "nothing made");
    assertFalse(run(name, "--help").assertOk().out().contains("--profiles"));
    assertTrue(run("verify", "--help").assertOk().out().contains("--profiles"));
    run(words.toArray(String[]::new)).assertNoStackTrace(); // the command itself is fine
  }

  @Test
  void missingOrNonJsonFile_oneLineExit2() throws Exception {
    run("challenge", "--profiles", dir.resolve("none.json").toString(), "--gpus", "1",
        "--model", NEW, "--session", dir.resolve("s.json").toString())
        .assertBadInput("--profiles " + dir.resolve("none.json") + ": no such file");
    Path notJson = Files.writeString(dir.resolve("ops.json"), "model: Acme X1\n");
    run("--profiles", notJson.toString(), "challenge", "--gpus", "1", "--model", NEW,
        "--session", dir.resolve("s.json").toString())
        .assertBadInput("--profiles " + notJson + ": invalid JSON");
  }

  /** The operator's own mistake: no prover is started for it, and no verdict is given. */
  @Test
  void attest_badFile_exit2AndNoProverStarted() throws Exception {
    Path file = profiles(entry(NEW, 8).replace("\"canonicalTflops\": 1.0",
        "\"canonicalTflops\": 3.0"));
    Path started = dir.resolve("started");
    String prover = script(dir, "prover", "touch '" + started + "'");
    run("attest", "--profiles", file.toString(), "--prover", prover, "--gpus", "1", "--model",
        NEW, "--iterations", "1", "--allow-cpu", "--replay-dir",
        dir.resolve("replay").toString())
        .assertBadInput("canonicalTflops must be > 0 and <= fp64TensorTflops (2.0), got 3.0");
    assertFalse(Files.exists(started));
  }

  @Test
  void withoutTheOption_theBundledTable() throws Exception {
    assertEquals(GpuProfiles.bundled(), Environment.system().profiles());
  }
}
