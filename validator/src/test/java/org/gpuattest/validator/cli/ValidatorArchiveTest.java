package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveKey;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.ArchiveSignature;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator verify' keeps its exchange in the evidence archive, whole or not at all, and a
 * failure to keep it is the validator's own (exit 3) after the verdict is printed. The
 * re-verification of what it kept is ReverifyTest's.
 */
class ValidatorArchiveTest {
  @TempDir Path dir;
  private ArchiveFixture x;

  @BeforeEach
  void exchange() throws Exception {
    x = new ArchiveFixture(dir);
  }

  @Test
  void verify_keepsACompleteFolderWhoseFilesDecode() throws Exception {
    Session sampled = x.saved();
    Result r = x.verify("--json", "--provider", "lab-1.example").assertOk();
    Ed25519PublicKey key = ArchiveKey.read(x.archiveKey()).publicKey();
    assertEquals("validator: created the archive signing key " + x.archiveKey() + " (key id "
        + key.keyId() + "; its public half " + x.validatorKey() + " is for 'reverify' and"
        + " 'fleet' on other hosts)\n", r.err(), "verify archives quietly, but for that");
    assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(x.archiveKey()));
    assertTrue(Ed25519PublicKey.fromFile("key", x.validatorKey()).sameKeyAs(key));
    Path folder = x.folder();
    try (Stream<Path> files = Files.list(folder)) {
      assertEquals(List.of("openings.b64", "record.json", "session.json", "signature.json",
          "verdict.json"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    ArchiveSignature sig = Json.read("signature", Files.readAllBytes(folder.resolve(
        "signature.json")), ArchiveSignature.class);
    assertEquals(key.keyId(), sig.validatorKeyId());
    ArchiveRecord record = Json.read("record", Files.readAllBytes(folder.resolve(
        "record.json")), ArchiveRecord.class);
    assertEquals(x.challengeId, record.challengeId());
    assertEquals(ArchiveRecord.VERIFY, record.command());
    assertEquals(ArchiveFixture.VERIFIED.toString(), record.verifiedAt());
    assertEquals("validator " + System.getProperty("project.version")
        + " (canonical-v1, protocol version 1)", record.validator(), "as --version prints it");
    assertEquals("lab-1.example", record.provider());
    assertTrue(record.options().allowCpu());
    assertNull(record.options().proverKey());
    assertNull(record.proverFailure());
    assertEquals(sampled, Json.read("session", Files.readAllBytes(
        folder.resolve("session.json")), Session.class));
    assertEquals(x.openings, Files.readString(folder.resolve("openings.b64")));
    assertEquals(r.out(), Files.readString(folder.resolve("verdict.json")),
        "verdict.json is what --json printed");
    assertTrue(Json.read("verdict", r.out().getBytes(StandardCharsets.UTF_8), Verdict.class)
        .passed());
    try (Stream<Path> day = Files.list(folder.getParent())) {
      assertEquals(1, day.count(), "no temporary folder is left beside the exchange");
    }
  }

  /** Absent parts are written as null, not left out: a reader sees every field. */
  @Test
  void verify_recordSpellsOutNulls() throws Exception {
    x.verify().assertOk();
    String json = Files.readString(x.folder().resolve("record.json"));
    assertTrue(json.contains("\"provider\" : null"), json);
    assertTrue(json.contains("\"proverFailure\" : null"), json);
    assertTrue(json.contains("\"proverKey\" : null"), json);
  }

  @Test
  void verify_noArchive_writesNothing() throws Exception {
    x.verify("--no-archive").assertOk();
    assertFalse(Files.exists(x.archive));
    Path defaultRoot = AtomicFiles.home().resolve("validator").resolve("archive");
    if (Files.isDirectory(defaultRoot)) {
      try (Stream<Path> all = Files.walk(defaultRoot)) {
        assertTrue(all.noneMatch(p -> p.getFileName().toString().equals(x.challengeId)),
            "the exchange went to the default archive");
      }
    }
  }

  @Test
  void verify_unwritableArchive_exit3BeforeVerifying() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result r = x.verify("--archive", file.resolve("archive").toString());
    assertEquals(ExitCodes.RUNTIME, r.code(), r.describe());
    assertEquals("", r.out(), "no verdict: nothing was verified");
    assertEquals(1, r.errLines(), r.describe());
    assertTrue(r.err().contains("--archive: evidence archive"), r.err());
    r.assertNoStackTrace();
    assertFalse(Files.exists(x.replay.resolve(x.challengeId)), "the id was used");
  }

  /**
   * The same challenge archived already, yet its id new to the replay store (the store was
   * reset, or another one used): the folder is kept as it was, exit 3.
   */
  @Test
  void verify_exchangeFolderExists_verdictPrintedThenExit3AndFolderUntouched()
      throws Exception {
    Files.createDirectories(x.folder());
    Path mine = Files.writeString(x.folder().resolve("notes.txt"), "first");
    Result r = x.verify();
    assertEquals(ExitCodes.RUNTIME, r.code(), r.describe());
    assertTrue(r.out().contains("verdict: PASS"), "the verdict is still printed: " + r.out());
    assertEquals(1, r.errLines(), r.describe());
    assertTrue(r.err().contains("exists already; an exchange is archived once"), r.err());
    assertTrue(r.err().contains("the verdict printed stands"), r.err());
    r.assertNoStackTrace();
    try (Stream<Path> files = Files.list(x.folder())) {
      assertEquals(List.of(mine), files.toList());
    }
    try (Stream<Path> day = Files.list(x.folder().getParent())) {
      assertEquals(1, day.count(), "no temporary folder is left");
    }
  }

  /** A replay fails the prover (exit 1); the first verification's folder stays as it was. */
  @Test
  void verify_replayed_exit1AndTheFirstExchangeKept() throws Exception {
    x.verify().assertOk();
    byte[] first = Files.readAllBytes(x.folder().resolve("verdict.json"));
    Result again = x.verify();
    assertEquals(ExitCodes.REJECTED, again.code(), again.describe());
    assertTrue(again.out().contains("challenge.replay"), again.out());
    assertEquals("validator: this replayed challenge is not archived: the archive keeps a"
        + " challenge's first verification only\n", again.err(), again.describe());
    assertArrayEquals(first, Files.readAllBytes(x.folder().resolve("verdict.json")));
  }

  /** With --signing-key, that key signs the exchange; no archive key is made. */
  @Test
  void verify_signingKey_signsWithIt() throws Exception {
    Ed25519PrivateKey mine = Harness.key("operator's validator key");
    Path file = Files.writeString(dir.resolve("validator.pem"), mine.toPem());
    Result r = x.verify("--signing-key", file.toString()).assertOk();
    assertEquals("", r.err());
    assertFalse(Files.exists(x.archiveKey()));
    ArchiveSignature sig = Json.read("signature", Files.readAllBytes(x.folder().resolve(
        "signature.json")), ArchiveSignature.class);
    assertEquals(mine.publicKey().keyId(), sig.validatorKeyId());
    Path pub = Files.writeString(dir.resolve("validator.pub.pem"), mine.publicKey().toPem());
    ArchiveFixture.runAt(ArchiveFixture.VERIFIED, "reverify", x.folder().toString(),
        "--validator-key", pub.toString()).assertOk();
  }

  @Test
  void verify_signingKeyNotAKey_exit2BeforeVerifying() throws Exception {
    Path file = Files.writeString(dir.resolve("validator.pem"), "not a key");
    x.verify("--signing-key", file.toString()).assertBadInput("--signing-key");
    assertFalse(Files.exists(x.replay.resolve(x.challengeId)), "the id was used");
  }

  @Test
  void verify_badProviderLabel_exit2WithoutQuotingIt() {
    Result r = x.verify("--provider", "../../etc/passwd").assertBadInput("--provider");
    assertFalse(r.err().contains("passwd"), r.err());
    x.verify("--provider", "a".repeat(65)).assertBadInput("--provider");
    assertFalse(Files.exists(x.replay.resolve(x.challengeId)));
  }

  @Test
  void verify_archiveAndNoArchive_exit2() {
    x.verify("--no-archive", "--archive", x.archive.toString()).assertBadInput("--no-archive");
  }

  @Test
  void reverify_notAFolder_exit2() {
    run("reverify", dir.resolve("absent").toString()).assertBadInput("not an exchange folder");
  }
}
