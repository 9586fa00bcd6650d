package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.gpuattest.common.cli.HelpTexts;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code validator challenge} and the command line as a whole, against the contract:
 * zero, negative or huge sizes, n not a multiple of 64, G over the limit and unknown models
 * are exit 2 with one stderr line naming the option or field, nothing on stdout, and no
 * session file (not even a temporary one) left behind; usage errors are exit 2 with one line;
 * {@code --help} is exit 0 and lists the exit codes (docs/cli.md).
 */
class ValidatorBadInputTest {
  @TempDir Path dir;

  private Path session() {
    return dir.resolve("session.json");
  }

  /** A small valid challenge command with some options replaced (a null value drops one). */
  private String[] challenge(String... overrides) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("--gpus", "2");
    options.put("--model", MODEL);
    options.put("--dim", "64");
    options.put("--iterations", "2");
    options.put("--samples", "8");
    options.put("--weak-timing", "");
    options.put("--session", session().toString());
    for (int i = 0; i < overrides.length; i += 2) {
      options.put(overrides[i], overrides[i + 1]);
    }
    List<String> args = new ArrayList<>(List.of("challenge"));
    options.forEach((k, v) -> {
      if (v != null) {
        args.add(k);
        if (!v.isEmpty()) { // "" marks a flag
          args.add(v);
        }
      }
    });
    return args.toArray(String[]::new);
  }

  private void assertNothingWritten() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.toList(), "a refused challenge leaves no file behind");
    }
  }

  /** 'serve' is the service's jar's (docs/service.md): one line saying where, exit 2. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"serve --fleet fleet.json", "--debug serve", "serve"})
  void serve_notInThisJar_oneLinePointingAtTheServiceJar_exit2(String args) {
    Result r = run(args.split(" ")).assertBadInput("validator-service.jar");
    assertTrue(r.err().startsWith("validator: 'serve' is in validator-service.jar, not"
        + " validator.jar: run 'java -jar validator-service.jar serve ...'"), r.describe());
  }

  @Test
  void challenge_validOptions_printsChallengeAndWritesPrivateSession() throws IOException {
    Result r = run(challenge()).assertOk();
    assertEquals("", r.err());
    assertEquals(1, r.out().strip().lines().count(), r.describe());
    Challenge c = assertDoesNotThrowDecode(r.out().strip());
    assertEquals(64, c.dim());
    assertEquals(2, c.iterations());
    assertEquals(2, c.devices());
    assertEquals(8, c.samples());
    assertEquals(MODEL, c.model());
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(session())));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(session()), files.toList(), "no temporary file is left beside it");
    }
  }

  private static Challenge assertDoesNotThrowDecode(String text) {
    try {
      return MessageCodec.decode("challenge", text, Challenge.class).value();
    } catch (Exception e) {
      throw new AssertionError("stdout is not a challenge: " + e.getMessage(), e);
    }
  }

  @ParameterizedTest(name = "--dim {0}")
  @ValueSource(strings = {"0", "-64", "100", "16448", "1000000000", "65", "16384000"})
  void challenge_badDimWithIterations_exit2NamingDim(String dim) throws IOException {
    run(challenge("--dim", dim)).assertBadInput("dim");
    assertNothingWritten();
  }

  /** Without --iterations, T is derived from n and --seconds: a bad n must not break that. */
  @ParameterizedTest(name = "--dim {0}")
  @ValueSource(strings = {"0", "-64", "100", "16448", "1000000000"})
  void challenge_badDimWithDerivedIterations_exit2NamingDim(String dim) throws IOException {
    run(challenge("--dim", dim, "--iterations", null, "--seconds", "1")).assertBadInput("dim");
    assertNothingWritten();
  }

  @ParameterizedTest(name = "--gpus {0}")
  @ValueSource(strings = {"0", "-1", "65"})
  void challenge_badGpus_exit2NamingGpus(String gpus) throws IOException {
    run(challenge("--gpus", gpus)).assertBadInput("--gpus");
    assertNothingWritten();
  }

  /** The default 10 s at n = 64 would need ~2.6e8 iterations: say which options to change. */
  @Test
  void challenge_secondsDeriveTooManyIterations_exit2NamingSecondsAndDim() throws IOException {
    Result r = run(challenge("--dim", "64", "--iterations", null, "--seconds", "10"));
    r.assertBadInput("--seconds");
    assertTrue(r.err().contains("--dim"), r.err());
    assertNothingWritten();
  }

  @ParameterizedTest(name = "--iterations {0}")
  @ValueSource(strings = {"0", "-3", "2000000"})
  void challenge_badIterations_exit2NamingIterations(String iterations) throws IOException {
    run(challenge("--iterations", iterations)).assertBadInput("iterations");
    assertNothingWritten();
  }

  @Test
  void challenge_gpusTimesIterationsOverLimit_exit2() throws IOException {
    // 64 x 16385 > 2^20 matrices: each factor is in range, the product is not.
    run(challenge("--gpus", "64", "--iterations", "16385")).assertBadInput("iterations");
    assertNothingWritten();
  }

  @ParameterizedTest(name = "--samples {0}")
  @ValueSource(strings = {"0", "-1", "5000"})
  void challenge_badSamples_exit2NamingSamples(String samples) throws IOException {
    run(challenge("--samples", samples)).assertBadInput("samples");
    assertNothingWritten();
  }

  @Test
  void challenge_unknownModel_exit2NamingModel() throws IOException {
    run(challenge("--model", "NVIDIA GeForce 256")).assertBadInput("--model");
    assertNothingWritten();
  }

  @ParameterizedTest(name = "--ttl {0}")
  @ValueSource(strings = {"0", "-5", "604801"})
  void challenge_badTtl_exit2NamingTtl(String ttl) throws IOException {
    run(challenge("--ttl", ttl)).assertBadInput("--ttl");
    assertNothingWritten();
  }

  @ParameterizedTest(name = "--seconds {0}")
  @ValueSource(strings = {"0", "-1", "86401", "NaN"})
  void challenge_badSeconds_exit2NamingSeconds(String seconds) throws IOException {
    run(challenge("--iterations", null, "--seconds", seconds)).assertBadInput("--seconds");
    assertNothingWritten();
  }

  @Test
  void challenge_iterationsAndSeconds_exit2NamingBoth() throws IOException {
    run(challenge("--seconds", "1")).assertBadInput("--iterations and --seconds");
    assertNothingWritten();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"--dim, abc", "--gpus, 2147483648", "--iterations, 1.5", "--samples, ''",
      "--ttl, 99999999999999999999"})
  void challenge_notANumber_exit2NamingOption(String option, String value) throws IOException {
    run(challenge(option, value)).assertBadInput(option);
    assertNothingWritten();
  }

  @Test
  void challenge_existingSession_exit2AndFileUnchanged() throws IOException {
    byte[] before = "an earlier session\n".getBytes(StandardCharsets.UTF_8);
    Files.write(session(), before);
    run(challenge()).assertBadInput("--session");
    assertArrayEquals(before, Files.readAllBytes(session()));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(session()), files.toList());
    }
  }

  @Test
  void challenge_missingKeyFile_exit2NamingKey() throws IOException {
    run(challenge("--signing-key", dir.resolve("absent.pem").toString()))
        .assertBadInput("--signing-key");
    assertNothingWritten();
  }

  @Test
  void challenge_keyNotPem_exit2NamingKey() throws IOException {
    Path key = dir.resolve("key.pem");
    Files.writeString(key, "not a key\n");
    run(challenge("--signing-key", key.toString())).assertBadInput("--signing-key");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(key), files.toList());
    }
  }

  @Test
  void challenge_missingRequiredOption_exit2NamingIt() throws IOException {
    run(challenge("--gpus", null)).assertBadInput("--gpus");
    run(challenge("--model", null)).assertBadInput("--model");
    run(challenge("--session", null)).assertBadInput("--session");
    assertNothingWritten();
  }

  @Test
  void cli_unknownSubcommand_exit2OneLine() {
    run("frobnicate").assertBadInput("frobnicate");
  }

  @Test
  void cli_unknownOption_exit2OneLine() {
    run(challenge("--bogus", "1")).assertBadInput("--bogus");
  }

  @Test
  void cli_noSubcommand_exit2OneLine() {
    run().assertBadInput("subcommand");
  }

  @Test
  void cli_missingRequiredOptions_exit2OneLineEach() {
    run("sample", "--session", session().toString()).assertBadInput("--commitment");
    run("verify", "--session", session().toString()).assertBadInput("--openings");
    run("spec", "philox", "--philox-key", "0,0").assertBadInput("--counter");
    run("spec").assertBadInput("subcommand");
  }

  @Test
  void cli_help_exit0ListsExitCodes() {
    Result r = run("--help").assertOk();
    assertEquals("", r.err());
    assertTrue(r.out().contains("Exit codes:"), r.describe());
    for (String code : new String[] {"0", "1", "2", "3"}) {
      assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(code + " ")),
          () -> "exit code " + code + " is not listed: " + r.describe());
    }
    assertTrue(r.out().contains("bad usage or bad input"), r.describe());
    assertTrue(r.out().contains("runtime failure"), r.describe());
  }

  /** The commands that return 1: a verdict failed, or (fleet) a provider is flagged. */
  private static final Set<String> REJECT = Set.of("validator verify", "validator attest",
      "validator reverify", "validator fleet");

  /**
   * Each command lists the exit codes it returns: 1 only under the commands that return it,
   * which the root's list names; no other subcommand inherits the root's 1.
   */
  @Test
  void help_eachCommand_listsOnlyTheExitCodesItReturns() {
    Map<Integer, String> root = HelpTexts.exitCodes(run("--help").assertOk().out());
    assertEquals(List.of(0, 1, 2, 3), List.copyOf(root.keySet()), root.toString());
    for (String named : List.of("verify", "attest", "reverify", "fleet --fail-on-flagged")) {
      assertTrue(root.get(1).contains(named), () -> named + ": " + root);
    }
    List<CommandSpec> commands = HelpTexts.commands(ValidatorCli.commandLine());
    assertTrue(commands.size() > 10, "spec's subcommands are in the tree too");
    for (CommandSpec c : commands.subList(1, commands.size())) {
      String name = c.qualifiedName();
      List<String> args = new ArrayList<>(List.of(name.split(" ")));
      args.remove(0); // "validator spec philox --help" runs as: spec philox --help
      args.add("--help");
      Result r = run(args.toArray(String[]::new)).assertOk();
      Map<Integer, String> codes = HelpTexts.exitCodes(r.out());
      assertEquals(REJECT.contains(name) ? List.of(0, 1, 2, 3) : List.of(0, 2, 3),
          List.copyOf(codes.keySet()), () -> name + ": " + r.describe());
    }
  }

  /** Every usage error points at '<command> --help', so that must work on subcommands too. */
  @ParameterizedTest(name = "{0} --help")
  @ValueSource(strings = {"challenge", "sample", "verify", "attest", "spec", "spec philox",
      "spec roots", "spec matrix"})
  void subcommand_help_exit0(String command) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Result r = run(args.toArray(String[]::new)).assertOk();
    assertEquals("", r.err());
    assertTrue(r.out().contains("Usage: validator " + command), r.describe());
  }

  /** The version is the build's (the pom's, which surefire passes), never a literal. */
  @Test
  void cli_version_exit0PrintsTheProjectVersion() {
    String project = System.getProperty("project.version");
    assertNotNull(project, "surefire passes project.version");
    Result r = run("--version").assertOk();
    assertEquals("validator " + project + " (canonical-v1, protocol version 1)\n", r.out(),
        r.describe());
  }
}
