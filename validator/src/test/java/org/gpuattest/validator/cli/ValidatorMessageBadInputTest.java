package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.gpuattest.validator.cli.ValidatorCliHarness.runWithStdin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validator sample} and {@code validator verify} fed hostile messages: malformed base64,
 * truncated or invalid JSON, an unknown version, a bad field, oversized text and missing files
 * are each exit 2 with one stderr line naming the message or field, and a refused message
 * leaves the session file exactly as it was.
 */
class ValidatorMessageBadInputTest {
  @TempDir Path dir;
  private Path session;
  private String challengeText;
  private String commitmentJson;
  private String root0;

  @BeforeEach
  void issueChallenge() throws Exception {
    session = dir.resolve("session.json");
    Result r = run("challenge", "--gpus", "2", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--samples", "8", "--weak-timing", "--session", session.toString())
        .assertOk();
    challengeText = r.out().strip();
    Commitment c = commitmentFor(challengeText);
    commitmentJson = Json.writeString(c);
    root0 = c.devices().get(0).root();
  }

  /** A well-formed, signed commitment to the challenge; its roots are not the real ones. */
  static Commitment commitmentFor(String challengeText) throws BadMessageException {
    MessageCodec.Decoded<Challenge> decoded =
        MessageCodec.decode("challenge", challengeText, Challenge.class);
    List<DeviceReport> reports = new ArrayList<>();
    for (int g = 0; g < decoded.value().devices(); g++) {
      byte[] root = Bytes.sha256(("fake root " + g).getBytes(StandardCharsets.US_ASCII));
      reports.add(new DeviceReport(g, "cpu", "cpu-" + g, "none", "none", 4, 0L, "none",
          DeviceReport.CPU, Hex.encode(root), new Timing(1, 2, 3, 4),
          new SmMonitor(new long[] {1, 1, 1, 1}, 0.9)));
    }
    return Commitment.sign(CommitmentDigest.challengeDigest(decoded.bytes()), reports,
        Ed25519PrivateKey.generate(new SecureRandom()));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Runs 'sample' with {@code commitment}, expects exit 2 naming field, session untouched. */
  private Result sampleRefused(String commitment, String field) throws IOException {
    byte[] before = Files.readAllBytes(session);
    Result r = run("sample", "--session", session.toString(), "--commitment", commitment)
        .assertBadInput(field);
    assertArrayEquals(before, Files.readAllBytes(session), "the session file changed");
    assertOnlySessionInDir();
    return r;
  }

  /** Session writes go through a hidden temporary file; none may be left behind. */
  private void assertOnlySessionInDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith("."))
          .toList(), "no temporary file is left behind");
    }
  }

  @Test
  void sample_validCommitment_printsRequestAndRecordsIt() throws Exception {
    byte[] before = Files.readAllBytes(session);
    Result r = run("sample", "--session", session.toString(), "--commitment", b64(commitmentJson))
        .assertOk();
    assertEquals("", r.err());
    OpeningRequest req =
        MessageCodec.decode("request", r.out().strip(), OpeningRequest.class).value();
    assertEquals(8, req.samples().size());
    assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(session)));
    // A session takes one commitment: a second one is refused and changes nothing.
    sampleRefused(b64(commitmentJson), "session: a commitment was already received");
  }

  @Test
  void sample_malformedBase64_exit2() throws IOException {
    sampleRefused("!!!", "commitment");
  }

  @Test
  void sample_base64OfNonObject_exit2() throws IOException {
    sampleRefused(b64("[1, 2, 3]"), "commitment");
  }

  @Test
  void sample_truncatedJson_exit2() throws IOException {
    // Cut inside devices[1]: Jackson reports it as a mapping error ("Unexpected
    // end-of-input"), not the JsonEOFException that Json.describe calls "truncated JSON".
    Result r = sampleRefused(
        b64(commitmentJson.substring(0, commitmentJson.length() / 2)), "commitment");
    assertTrue(r.err().contains("truncated") || r.err().contains("end-of-input"), r.describe());
    // Cut at the top level, between fields.
    String top = commitmentJson.substring(0, commitmentJson.indexOf("\"devices\""));
    r = sampleRefused(b64(top), "commitment");
    assertTrue(r.err().contains("truncated") || r.err().contains("end-of-input"), r.describe());
  }

  @Test
  void sample_invalidJson_exit2() throws IOException {
    sampleRefused(b64("{\"version\": 1,, \"devices\": []}"), "commitment")
        .assertOneErrorLine("invalid JSON");
  }

  @Test
  void sample_unknownVersion_exit2NamingVersion() throws IOException {
    String v2 = commitmentJson.replaceFirst("\"version\" ?: ?1", "\"version\" : 2");
    assertTrue(v2.contains("2"), v2);
    sampleRefused(b64(v2), "version");
  }

  @Test
  void sample_rootNotHex_exit2NamingRoot() throws IOException {
    String bad = commitmentJson.replace(root0, "zz" + root0.substring(2));
    sampleRefused(b64(bad), "root");
  }

  @Test
  void sample_rootTooShort_exit2NamingRoot() throws IOException {
    String bad = commitmentJson.replace(root0, root0.substring(2));
    sampleRefused(b64(bad), "root");
  }

  @Test
  void sample_unknownField_exit2NamingIt() throws IOException {
    String bad = commitmentJson.replaceFirst("\\{", "{\"extra\": 1,");
    sampleRefused(b64(bad), "extra");
  }

  @Test
  void sample_hugeText_refusedBeforeDecoding() throws IOException {
    sampleRefused("A".repeat(MessageCodec.MAX_TEXT_CHARS + 1), "commitment")
        .assertOneErrorLine("limit");
  }

  @Test
  void sample_hugeStdin_refusedWhileReading() throws IOException {
    byte[] before = Files.readAllBytes(session);
    runWithStdin("A".repeat(MessageCodec.MAX_TEXT_CHARS + 1),
        "sample", "--session", session.toString(), "--commitment", "-")
        .assertBadInput("commitment").assertOneErrorLine("limit");
    assertArrayEquals(before, Files.readAllBytes(session));
  }

  @Test
  void sample_emptyStdin_exit2() throws IOException {
    sampleRefused("-", "commitment");
  }

  @Test
  void sample_commitmentFromStdinAndFile_accepted() throws IOException {
    Path file = dir.resolve("commitment.b64");
    Files.writeString(file, b64(commitmentJson) + "\n");
    Path copy = dir.resolve("copy.json");
    Files.copy(session, copy);
    run("sample", "--session", session.toString(), "--commitment", "@" + file).assertOk();
    Files.move(copy, session, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    runWithStdin(b64(commitmentJson), "sample", "--session", session.toString(),
        "--commitment", "-").assertOk();
  }

  @Test
  void sample_missingAtFile_exit2NamingFile() throws IOException {
    sampleRefused("@" + dir.resolve("absent.b64"), "absent.b64").assertOneErrorLine("commitment");
  }

  @Test
  void sample_missingSession_exit2NamingSession() {
    run("sample", "--session", dir.resolve("nope.json").toString(), "--commitment",
        b64(commitmentJson)).assertBadInput("--session: no such file");
  }

  @Test
  void sample_corruptSession_exit2NamingSession() throws IOException {
    Files.writeString(session, "{\"version\": 1, \"challenge\": ");
    run("sample", "--session", session.toString(), "--commitment", b64(commitmentJson))
        .assertBadInput("session file");
  }

  // ---- verify ----

  private Path replay() {
    return dir.resolve("replay");
  }

  private Result verify(String openings) {
    return run("verify", "--session", session.toString(), "--openings", openings,
        "--replay-dir", replay().toString(), "--allow-cpu");
  }

  private OpeningRequest sampled() throws Exception {
    Result r = run("sample", "--session", session.toString(), "--commitment", b64(commitmentJson))
        .assertOk();
    return MessageCodec.decode("request", r.out().strip(), OpeningRequest.class).value();
  }

  private void verifyRefused(String openings, String field) throws IOException {
    byte[] before = Files.readAllBytes(session);
    verify(openings).assertBadInput(field);
    assertArrayEquals(before, Files.readAllBytes(session));
    if (Files.exists(replay())) {
      try (Stream<Path> used = Files.list(replay())) {
        assertEquals(List.of(), used.toList(), "a refused message must not use up the id");
      }
    }
  }

  @Test
  void verify_malformedOpenings_exit2() throws Exception {
    OpeningRequest req = sampled();
    String good = Json.writeString(new Openings(1, req.challengeDigest(),
        req.commitmentDigest(), List.of()));
    verifyRefused("!!!", "openings");
    verifyRefused(b64(good.substring(0, good.length() - 3)), "openings");
    verifyRefused(b64("{\"version\": 1 \"openings\": []}"), "openings");
    verifyRefused(b64(good.replaceFirst("\"version\" ?: ?1", "\"version\" : 7")), "version");
    verifyRefused(b64(good.replace(req.commitmentDigest(), "xyz")), "commitmentDigest");
    verifyRefused("A".repeat(MessageCodec.MAX_TEXT_CHARS + 1), "openings");
    verifyRefused("@" + dir.resolve("absent.b64"), "openings");
  }

  @Test
  void verify_beforeSample_exit2NamingSample() throws IOException {
    verifyRefused(b64("{}"), "sample");
  }

  @Test
  void verify_wellFormedButWrongOpenings_exit1() throws Exception {
    OpeningRequest req = sampled();
    String none = MessageCodec.encode(new Openings(1, req.challengeDigest(),
        req.commitmentDigest(), List.of()));
    Result r = verify(none);
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertFalse(r.out().isEmpty(), "the verdict goes to stdout");
    r.assertNoStackTrace();
  }
}
