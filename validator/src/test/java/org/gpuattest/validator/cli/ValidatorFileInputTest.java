package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the user names (docs/cli.md): a folder where a file belongs, an unreadable file, a
 * key or message with a UTF-8 byte-order mark, a UTF-16 key. Each refusal is exit 2 and one
 * line naming the option and the path in words ("is a folder", "permission denied", "UTF-16"),
 * never "Is a directory" as a fault of the validator (exit 3); a byte-order mark is accepted.
 * What the validator cannot read of its own stores is named, not fatal, in 'prune --dry-run'.
 *
 * <p>The chmod cases are skipped where this JVM reads files of mode 000 anyway (root):
 * InputFilesTest says how to run them there.
 */
class ValidatorFileInputTest {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  @TempDir Path dir;

  private static void unreadable(Path p) throws Exception {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(p), "this JVM reads files of mode 000 (root)");
  }

  private static Path withBom(Path file, String text) throws Exception {
    Files.write(file, BOM);
    Files.write(file, text.getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
    return file;
  }

  /** 'verify' of the fixture's exchange with the openings given as {@code openings}. */
  private static Result verify(ArchiveFixture x, String openings) {
    return ArchiveFixture.runAt(ArchiveFixture.VERIFIED, "verify", "--session",
        x.session.toString(), "--openings", openings, "--allow-cpu", "--replay-dir",
        x.replay.toString(), "--no-archive");
  }

  @Test
  void sampleAndVerify_sessionIsAFolder_exit2NamingTheOption() {
    run("sample", "--session", dir.toString(), "--commitment", "e30=")
        .assertBadInput("--session: " + dir + " is a folder, not a session file");
    run("verify", "--session", dir.toString(), "--openings", "e30=", "--allow-cpu",
        "--replay-dir", dir.resolve("replay").toString(), "--no-archive")
        .assertBadInput("--session: " + dir + " is a folder, not a session file");
  }

  @Test
  void verify_unreadableOpeningsOrSession_exit2PermissionDenied() throws Exception {
    ArchiveFixture x = new ArchiveFixture(dir);
    Path openings = Files.writeString(dir.resolve("o.b64"), x.openings);
    unreadable(openings);
    verify(x, "@" + openings)
        .assertBadInput("openings: cannot read " + openings + ": permission denied");
    unreadable(x.session);
    run("sample", "--session", x.session.toString(), "--commitment", "e30=")
        .assertBadInput("--session: cannot open " + x.session + " to read and write it:"
            + " permission denied");
  }

  @Test
  void verify_openingsFileWithUtf8ByteOrderMark_passes() throws Exception {
    ArchiveFixture x = new ArchiveFixture(dir);
    Path openings = withBom(dir.resolve("o.b64"), x.openings + "\n");
    Result r = verify(x, "@" + openings).assertOk();
    assertTrue(r.out().contains("verdict: PASS"), r.describe());
  }

  @Test
  void challenge_signingKeyWithByteOrderMarkAccepted_utf16Refused() throws Exception {
    Ed25519PrivateKey key = Harness.key("validator");
    Path bom = withBom(dir.resolve("bom.pem"), key.toPem());
    String[] challenge = {"challenge", "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--samples", "8", "--weak-timing", "--signing-key", null,
        "--session", null};
    challenge[13] = bom.toString();
    challenge[15] = dir.resolve("s1.json").toString();
    run(challenge).assertOk();
    Path utf16 = Files.write(dir.resolve("utf16.pem"),
        key.toPem().getBytes(StandardCharsets.UTF_16));
    challenge[13] = utf16.toString();
    challenge[15] = dir.resolve("s2.json").toString();
    run(challenge).assertBadInput("--signing-key: file " + utf16 + " is UTF-16 text");
    assertFalse(Files.exists(dir.resolve("s2.json")));
  }

  /**
   * An exchange folder or a replay entry the validator cannot read: named in the dry run, the
   * others counted (it used to stop at the first with "permission denied: PATH", exit 3).
   */
  @Test
  void pruneDryRun_unreadableExchange_namedAndTheRestCounted() throws Exception {
    Path archive = dir.resolve("archive");
    Path day = archive.resolve("2025-12-01");
    Path locked = Files.createDirectories(day.resolve("a".repeat(32)));
    // Without a readable record an exchange is as old as its date folder's day.
    Path old = Files.createDirectories(day.resolve("b".repeat(32)));
    Path replay = Files.createDirectories(dir.resolve("replay"));
    Path entry = Files.writeString(replay.resolve("c".repeat(32)), "2025-12-01T00:00:00Z\n");
    unreadable(entry);
    unreadable(locked);
    try {
      Result r = run("prune", "--archive", archive.toString(), "--replay-dir",
          replay.toString(), "--older-than", "10", "--dry-run").assertOk();
      assertTrue(r.out().contains("would remove 1 exchanges"), r.out());
      assertTrue(r.out().contains("left alone: " + locked + " (cannot read or remove it:"
          + " permission denied)"), r.out());
      assertTrue(r.out().contains("left alone: " + entry + " (cannot read or remove it:"
          + " permission denied)"), r.out());
      assertEquals("", r.err());
      assertTrue(Files.exists(old), "a dry run");
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    }
  }
}
