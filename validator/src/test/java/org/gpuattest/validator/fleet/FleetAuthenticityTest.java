package org.gpuattest.validator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveSigner;
import org.gpuattest.validator.archive.ArchiveTrust;
import org.gpuattest.validator.attack.Harness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet report counts only exchanges a trusted validator signed and nobody altered since
 * (docs/protocol.md section 8.5): one tamper per attack, each skipped with a reason naming
 * what was done, the honest exchange beside it still counted.
 */
class FleetAuthenticityTest {
  @TempDir Path dir;
  ArchiveFixture archive;
  Path honest;
  Path tampered;

  @BeforeEach
  void setUp() {
    archive = new ArchiveFixture(dir.resolve("archive"));
    honest = archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    tampered = archive.failed("rival", "rival", ArchiveFixture.H100, 4);
  }

  /** The one skipped reason, after checking only the honest exchange was counted. */
  private String skippedReason(ArchiveTrust trust) throws Exception {
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.dir, null, trust);
    assertEquals(List.of(honest.getFileName().toString()),
        scan.entries().stream().map(FleetEntry::challengeId).toList());
    assertEquals(1, scan.skippedCount(), scan.skipped().toString());
    assertEquals(tampered, scan.skipped().get(0).path());
    return scan.skipped().get(0).reason();
  }

  private String skippedReason() throws Exception {
    return skippedReason(ArchiveFixture.TRUST);
  }

  private void edit(String file, String from, String to) throws Exception {
    Path p = tampered.resolve(file);
    String before = Files.readString(p);
    assertTrue(before.contains(from), before);
    Files.writeString(p, before.replace(from, to));
  }

  private static String alteredSince() {
    return "altered since validator key " + ArchiveFixture.VALIDATOR.publicKey().keyId()
        + " signed it: ";
  }

  @Test
  void arrivalTimeEdited_isSkippedNamingSessionJson() throws Exception {
    edit("session.json", "\"receivedAt\" : \"2030-03-01T11:59:50Z\"",
        "\"receivedAt\" : \"2030-03-01T11:59:59Z\"");
    String reason = skippedReason();
    assertTrue(reason.startsWith(alteredSince() + "session.json has SHA-256 "), reason);
  }

  @Test
  void verdictRateEdited_isSkippedNamingVerdictJson() throws Exception {
    Path p = tampered.resolve("verdict.json");
    String before = Files.readString(p);
    String after = before.replaceFirst("\"tflopsPerGpu\" : [0-9.eE+-]+",
        "\"tflopsPerGpu\" : 2000.0");
    assertFalse(before.equals(after), before);
    Files.writeString(p, after);
    String reason = skippedReason();
    assertTrue(reason.startsWith(alteredSince() + "verdict.json has SHA-256 "), reason);
  }

  @Test
  void allowCpuFlipped_isSkippedNamingRecordJson() throws Exception {
    edit("record.json", "\"allowCpu\" : false", "\"allowCpu\" : true");
    String reason = skippedReason();
    assertTrue(reason.startsWith(alteredSince() + "record.json has SHA-256 "), reason);
  }

  @Test
  void commitmentResignedWithAnotherKey_isSkippedNamingSessionJson() throws Exception {
    Session s = Json.read("session", Files.readAllBytes(tampered.resolve("session.json")),
        Session.class);
    Files.write(tampered.resolve("session.json"), Json.write(ArchiveFixture.committed(
        s.challenge(), "someone else", ArchiveFixture.DAY_ONE)));
    String reason = skippedReason();
    assertTrue(reason.startsWith(alteredSince() + "session.json has SHA-256 "), reason);
  }

  @Test
  void openingsRemoved_isSkippedSayingSo() throws Exception {
    Files.delete(tampered.resolve("openings.b64"));
    Files.writeString(tampered.resolve("record.json"), Files.readString(tampered.resolve(
        "record.json")).replace("\"proverFailure\" : null",
            "\"proverFailure\" : {\"step\" : \"open\", \"check\" : \"prover.exit\"}"));
    String reason = skippedReason();
    assertTrue(reason.contains("openings.b64 was removed"), reason);
  }

  /** Someone with write access alters an exchange and signs it again with a key of theirs. */
  @Test
  void resignedByAnotherValidatorKey_isSkippedAsNotTrusted() throws Exception {
    edit("record.json", "\"provider\" : \"rival\"", "\"provider\" : \"acme\"");
    Ed25519PrivateKey theirs = Harness.key("someone with write access");
    ArchiveSigner.sign(tampered, theirs);
    String reason = skippedReason();
    assertEquals("signed by validator key " + theirs.publicKey().keyId() + ", which is not"
        + " trusted here (trusted: " + ArchiveFixture.VALIDATOR.publicKey().keyId()
        + ", from the test's)", reason);
  }

  @Test
  void signatureItselfAltered_isSkipped() throws Exception {
    String json = Files.readString(tampered.resolve("signature.json"));
    int at = json.indexOf("\"signature\" : \"") + 15;
    char c = json.charAt(at);
    Files.writeString(tampered.resolve("signature.json"),
        json.substring(0, at) + (c == 'A' ? 'B' : 'A') + json.substring(at + 1));
    String reason = skippedReason();
    assertEquals("altered: signature.json: the validator's signature: Ed25519 signature does"
        + " not verify", reason);
  }

  @Test
  void unsigned_isSkippedByDefault_andCountedAndSaidWithAllowUnsigned() throws Exception {
    Files.delete(tampered.resolve("signature.json"));
    String reason = skippedReason();
    assertTrue(reason.startsWith("unsigned: there is no signature.json"), reason);
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.dir, null, new ArchiveTrust(
        ArchiveFixture.TRUST.keys(), true, "the test's"));
    assertEquals(2, scan.entries().size());
    FleetReport r = FleetReport.of("a", null, scan.entries(), scan.skippedCount());
    assertEquals(1, r.unsigned());
    assertFalse(scan.entries().stream().filter(e -> e.challengeId().equals(
        tampered.getFileName().toString())).findFirst().orElseThrow().signed());
  }

  /** signature.json made from docs/protocol.md 8.5 alone is what the validator accepts. */
  @Test
  void signatureWrittenFromTheSpec_isAccepted() throws Exception {
    ArchiveSigner.sign(tampered, ArchiveFixture.VALIDATOR);
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.dir, null, ArchiveFixture.TRUST);
    assertEquals(2, scan.entries().size(), scan.skipped().toString());
  }
}
