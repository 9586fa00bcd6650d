package org.gpuattest.validator.cli;

import static org.gpuattest.validator.ScriptProvers.script;
import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator attest' archives every exchange, a prover's failure included, and finds an
 * unwritable archive before any prover is asked for work. (The honest exchange, with the real
 * attestor, is the attestor module's ArchiveEndToEndTest.)
 */
class ValidatorAttestArchiveTest {
  @TempDir Path dir;

  private String[] attest(String prover, String... extra) {
    List<String> args = new ArrayList<>(List.of("attest", "--separate", "--prover", prover,
        "--gpus", "1", "--model", MODEL, "--dim", "64", "--iterations", "1", "--weak-timing",
        "--replay-dir", dir.resolve("replay").toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private Path onlyExchange(Path archive) throws Exception {
    try (Stream<Path> days = Files.list(archive)) {
      Path day = days.findFirst().orElseThrow();
      assertEquals("2026-01-01", day.getFileName().toString());
      try (Stream<Path> x = Files.list(day)) {
        List<Path> all = x.toList();
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
      }
    }
  }

  @Test
  void attest_proverExits_failureArchivedAndReverifyReportsIt() throws Exception {
    Path archive = dir.resolve("archive");
    Result r = run(attest(script(dir, "prover", "exit 3"), "--json", "--archive",
        archive.toString(), "--provider", "acme"));
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    Path folder = onlyExchange(archive);
    assertTrue(r.err().contains("validator: exchange archived in " + folder), r.err());
    assertFalse(Files.exists(folder.resolve("openings.b64")), "the prover never answered");
    ArchiveRecord record = Json.read("record", Files.readAllBytes(folder.resolve(
        "record.json")), ArchiveRecord.class);
    assertEquals(ArchiveRecord.ATTEST, record.command());
    assertEquals(new ArchiveRecord.ProverFailureNote("prove", ProverFailure.EXIT),
        record.proverFailure());
    assertEquals("acme", record.provider());
    assertTrue(record.options().weakTiming());
    assertEquals(r.out(), Files.readString(folder.resolve("verdict.json")));
    Session s = Json.read("session", Files.readAllBytes(folder.resolve("session.json")),
        Session.class);
    assertEquals(folder.getFileName().toString(), s.decodedChallenge().value().id());
    assertNull(s.commitment());

    Result again = run("reverify", folder.toString(), "--validator-key",
        dir.resolve("archive-key.pub.pem").toString());
    assertEquals(ExitCodes.REJECTED, again.code(), again.describe());
    assertTrue(again.err().contains("the prover failed at 'prove' (prover.exit): nothing to"
        + " re-check beyond the recorded failure"), again.err());
    assertTrue(again.err().contains("matches the recorded verdict"), again.err());
    assertTrue(again.out().contains("verdict: FAIL"), again.out());
    assertTrue(again.err().contains("validator: signed by validator key "), again.err());
  }

  /** The prover's garbage answer is kept too: it is what the prover said. */
  @Test
  void attest_proverAnswersGarbage_commitmentFailureArchived() throws Exception {
    Path archive = dir.resolve("archive");
    Result r = run(attest(script(dir, "prover", "echo garbage"), "--archive",
        archive.toString()));
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    Path folder = onlyExchange(archive);
    ArchiveRecord record = Json.read("record", Files.readAllBytes(folder.resolve(
        "record.json")), ArchiveRecord.class);
    assertEquals(ProverFailure.OUTPUT, record.proverFailure().check());
    Verdict v = Json.read("verdict", Files.readAllBytes(folder.resolve("verdict.json")),
        Verdict.class);
    assertFalse(v.passed());
  }

  @Test
  void attest_unwritableArchive_exit3BeforeAnyProverStarts() throws Exception {
    Path started = dir.resolve("started");
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result r = run(attest(script(dir, "prover", "touch '" + started + "'\nexit 3"),
        "--archive", file.resolve("archive").toString()));
    assertEquals(ExitCodes.RUNTIME, r.code(), r.describe());
    assertEquals("", r.out());
    assertEquals(1, r.errLines(), r.describe());
    assertTrue(r.err().contains("--archive: evidence archive"), r.err());
    assertFalse(Files.exists(started), "the prover was asked to work");
  }

  @Test
  void attest_noArchive_writesNothing() throws Exception {
    Result r = run(attest(script(dir, "prover", "exit 3"), "--no-archive", "--json"));
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertFalse(r.err().contains("archived in"), r.err());
    String id = Json.read("verdict", r.out().getBytes(), Verdict.class).challengeId();
    Path defaultRoot = AtomicFiles.home().resolve("validator").resolve("archive");
    if (Files.isDirectory(defaultRoot)) {
      try (Stream<Path> all = Files.walk(defaultRoot)) {
        assertTrue(all.noneMatch(p -> p.getFileName().toString().contains(id)),
            "the exchange went to the default archive");
      }
    }
  }
}
