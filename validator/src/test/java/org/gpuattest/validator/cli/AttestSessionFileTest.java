package org.gpuattest.validator.cli;

import static org.gpuattest.validator.ScriptProvers.script;
import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validator attest} (the conversation, docs/protocol.md §3.2) and what holds the seed:
 * nothing does on disk before 'go' is sent, so a prover on the validator's host cannot read it
 * during 'prepare' and work before the clock starts; --session FILE appears at 'go', readable
 * by its owner only.
 */
class AttestSessionFileTest {
  @TempDir Path dir;

  /**
   * A prover that, while it prepares, lists the session's folder into "listing"; then answers
   * ready, the ping, and exits 3 once it has the seed.
   */
  private String lookingProver(Path folder) throws Exception {
    return script(dir, "looking", "read l\n"
        + "ls -A '" + folder + "' > '" + dir.resolve("listing") + "'\n"
        + "id=$(printf '%s' \"${l#prepare }\" | base64 -d"
        + " | sed -n 's/.*\"challengeId\" *: *\"\\([0-9a-f]*\\)\".*/\\1/p')\n"
        + "printf 'ready %s\\n' \"$(printf '{\"version\":1,\"challengeId\":\"%s\",\"devices\":1}'"
        + " \"$id\" | base64 | tr -d '\\n')\"\n"
        + "read ping\necho \"pong ${ping#ping }\"\nread go\nexit 3");
  }

  private Result attest(String prover, Path session) {
    return run("attest", "--prover", prover, "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "1", "--weak-timing", "--json", "--session", session.toString(),
        "--replay-dir", dir.resolve("replay").toString(),
        "--archive", dir.resolve("archive").toString());
  }

  @Test
  void attest_session_absentWhileTheProverPreparesThenOwnerOnlyAfterGo() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("sessions"));
    Path session = folder.resolve("session.json");
    Result r = attest(lookingProver(folder), session);
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(r.err().contains("seed sent, clock started"), r.describe());
    assertEquals("", Files.readString(dir.resolve("listing")),
        "nothing in the session's folder while the prover prepared");
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(session)));
    Session s = Json.read("session", Files.readAllBytes(session), Session.class);
    assertTrue(s.goSentAt() != null, "the session was written at go");
    assertEquals(List.of("session.json"), listing(folder), "no temporary file left");
  }

  @Test
  void attest_proverFailsBeforeGo_noSessionFileAtAll() throws Exception {
    Path session = dir.resolve("session.json");
    Result r = attest(script(dir, "fails", "read l\nexit 3"), session);
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(r.out().contains(ProverFailure.EXIT), r.describe());
    assertFalse(Files.exists(session), "the seed never left, and is not written either");
  }

  private static List<String> listing(Path folder) throws Exception {
    try (var files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
