package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveKey;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator reverify DIR' on an exchange 'validator verify' archived: the honest folder
 * re-verifies and matches its record; each file altered makes it fail (exit 1) naming what
 * differs, or refuse (exit 2) naming the file; nothing is written, the replay store included.
 */
class ValidatorReverifyTest {
  @TempDir Path dir;
  private ArchiveFixture x;
  private Path folder;

  @BeforeEach
  void archived() throws Exception {
    x = new ArchiveFixture(dir);
    x.verify().assertOk();
    folder = x.folder();
  }

  /** Re-verification at a later time: its clock is the record's, not this one. */
  private Result reverify(String... extra) {
    return x.reverifyAt(ArchiveFixture.VERIFIED.plusSeconds(86_400 * 30), extra);
  }

  @Test
  void reverify_honestFolder_exit0MatchesAndSaysTheClockIsTheRecords() throws Exception {
    byte[] replayEntry = Files.readAllBytes(x.replay.resolve(x.challengeId));
    Result r = reverify("--json").assertOk();
    assertEquals(Files.readString(folder.resolve("verdict.json")), r.out(),
        "the same verdict, byte for byte");
    assertTrue(r.err().contains("validator: matches the recorded verdict"), r.err());
    assertTrue(r.err().contains("the clock was not re-measured: the verdict's time "
        + ArchiveFixture.VERIFIED), r.err());
    assertTrue(r.err().contains("challenge.replay is as recorded"), r.err());
    assertTrue(r.err().endsWith("validator: signed by validator key " + ArchiveKey.read(
        x.archiveKey()).publicKey().keyId() + " (trusted); no file has changed since\n"),
        r.err());
    assertArrayEquals(replayEntry, Files.readAllBytes(x.replay.resolve(x.challengeId)));
    Result text = reverify().assertOk();
    assertTrue(text.out().contains("verdict: PASS"), text.out());
  }

  @Test
  void reverify_oneRowPathByteAltered_exit1NamingTheCheck() throws Exception {
    Openings o = MessageCodec.decode("openings", Files.readString(folder.resolve(
        "openings.b64")), Openings.class).value();
    List<Opening> altered = new ArrayList<>(o.openings());
    Opening first = altered.get(0);
    List<String> rowPath = new ArrayList<>(first.rowPath());
    String h = rowPath.get(0);
    rowPath.set(0, (h.charAt(0) == '0' ? "1" : "0") + h.substring(1));
    altered.set(0, new Opening(first.device(), first.iteration(), first.row(),
        first.matrixRoot(), first.matrixPath(), rowPath));
    Files.writeString(folder.resolve("openings.b64"), MessageCodec.encode(new Openings(
        o.version(), o.challengeDigest(), o.commitmentDigest(), altered)));
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(r.out().contains("verdict: FAIL"), r.out());
    assertTrue(r.err().contains("validator: differs from the recorded verdict:"), r.err());
    assertTrue(r.err().contains("result: recorded pass, now fail"), r.err());
    assertTrue(r.err().contains("check openings.exact: recorded pass"), r.err());
    r.assertNoStackTrace();
  }

  @Test
  void reverify_openingsNotBase64_exit2NamingTheFile() throws Exception {
    Files.writeString(folder.resolve("openings.b64"), "not base64 at all!");
    reverify().assertBadInput("openings.b64");
  }

  @Test
  void reverify_verdictPassTurnedToFail_exit1NamingTheCheck() throws Exception {
    Verdict v = Json.read("verdict", Files.readAllBytes(folder.resolve("verdict.json")),
        Verdict.class);
    List<Check> checks = new ArrayList<>();
    for (Check c : v.checks()) {
      checks.add(c.name().equals("openings.exact")
          ? Check.fail(c.name(), "7/8 exact", c.expected(), "altered") : c);
    }
    Files.write(folder.resolve("verdict.json"),
        Json.write(Verdict.of(v.challengeId(), checks)));
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(r.out().contains("verdict: PASS"), "re-verified, it passes: " + r.out());
    assertTrue(r.err().contains("result: recorded fail, now pass"), r.err());
    assertTrue(r.err().contains("check openings.exact: recorded fail (measured 7/8 exact);"
        + " now pass (measured 8/8 exact)"), r.err());
  }

  @Test
  void reverify_verdictNotJson_exit2NamingTheFile() throws Exception {
    Files.writeString(folder.resolve("verdict.json"), "{\"version\": 1, \"result\": ");
    reverify().assertBadInput("verdict.json");
  }

  /** A request other than the seed's: the record was altered; re-verified with the seed's. */
  @Test
  void reverify_sessionRequestAltered_exit1SayingTheRequestIsNotTheSeeds() throws Exception {
    Session s = x.saved();
    OpeningRequest req = s.decodedRequest();
    List<Sample> samples = new ArrayList<>(req.samples());
    Sample first = samples.get(0);
    samples.set(0, new Sample(first.device(), first.iteration(), (first.row() + 1) % 64));
    Session altered = new Session(s.version(), s.challenge(), s.issuedAt(), s.commitment(),
        s.receivedAt(), s.samplingSeed(), MessageCodec.encode(new OpeningRequest(
            req.version(), req.challengeDigest(), req.commitmentDigest(), samples)),
        s.goSentAt(), s.roundTripNanos());
    Files.write(folder.resolve("session.json"), Json.write(altered));
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(r.err().contains("session.json: the recorded opening request is not the one"
        + " the recorded sampling seed and commitment give"), r.err());
    assertTrue(r.out().contains("verdict: PASS"), "the openings answer the seed's request");
  }

  @Test
  void reverify_sessionSeedNotHex_exit2NamingTheFile() throws Exception {
    String json = Files.readString(folder.resolve("session.json"));
    Files.writeString(folder.resolve("session.json"),
        json.replace(x.saved().samplingSeed(), "zz"));
    reverify().assertBadInput("session.json");
  }

  @Test
  void reverify_missingFile_exit2NamingIt() throws Exception {
    Files.delete(folder.resolve("record.json"));
    reverify().assertBadInput("record.json is missing");
  }

  @Test
  void reverify_recordOfAnotherChallenge_exit1() throws Exception {
    String json = Files.readString(folder.resolve("record.json"), StandardCharsets.UTF_8);
    Files.writeString(folder.resolve("record.json"),
        json.replace(x.challengeId, "0".repeat(32)));
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(r.err().contains("record.json names challenge " + "0".repeat(32)), r.err());
  }

  @Test
  void reverify_noDir_usageError() {
    Result r = run("reverify");
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.describe());
    assertFalse(r.err().contains("\tat "), r.err());
  }
}
