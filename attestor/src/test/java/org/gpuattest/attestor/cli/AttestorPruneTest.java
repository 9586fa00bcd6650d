package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'attestor prune': removes the state of challenges that expired long ago, keeps any a
 * validator could still ask to open (and refuses fewer days than that floor), and leaves
 * alone what 'prove' did not write.
 */
class AttestorPruneTest {
  @TempDir Path state;

  /** A state folder as 'prove' leaves it, for a challenge that expires at {@code expires}. */
  private Path stateFor(char digest, Instant expires) throws Exception {
    Path folder = Files.createDirectories(state.resolve(String.valueOf(digest).repeat(64)));
    Instant issued = expires.minus(Duration.ofMinutes(5));
    Files.write(folder.resolve("challenge.json"), Json.write(new Challenge(1, "ab".repeat(16),
        "cd".repeat(32), 64, 1, 1, AttestorCliHarness.MODEL, issued.toString(),
        expires.toString(), 1, null, null)));
    Files.writeString(folder.resolve("state.json"), "{}");
    Files.write(folder.resolve("matrix-roots.bin"), new byte[32]);
    return folder;
  }

  private static Instant daysAgo(int days) {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(days));
  }

  @Test
  void prune_removesLongExpiredStateKeepsStateThatCanStillBeOpened() throws Exception {
    Path old = stateFor('a', daysAgo(40));
    Path justOverFloor = stateFor('b', daysAgo(9));
    Path openable = stateFor('c', daysAgo(2)); // a validator may still ask for openings
    Path live = stateFor('d', Instant.now().plus(Duration.ofHours(1)));
    Result r = run("prune", "--older-than", "8", "--state", state.toString()).assertOk();
    assertFalse(Files.exists(old));
    assertFalse(Files.exists(justOverFloor));
    assertTrue(Files.exists(openable.resolve("matrix-roots.bin")));
    assertTrue(Files.exists(live.resolve("matrix-roots.bin")));
    long bytes = 2 * (Files.size(openable.resolve("challenge.json")) + 2 + 32);
    assertTrue(r.out().contains("prover state " + state + ": removed 2 states (" + bytes
        + " bytes)"), r.out());
    assertTrue(r.out().contains("kept 2"), r.out());
  }

  @Test
  void prune_olderThanCountsFromExpiry() throws Exception {
    Path twentyDays = stateFor('a', daysAgo(20));
    run("prune", "--older-than", "30", "--state", state.toString()).assertOk();
    assertTrue(Files.exists(twentyDays));
  }

  @Test
  void prune_fewerDaysThanTheFloor_exit2AndNothingRemoved() throws Exception {
    Path old = stateFor('a', daysAgo(40));
    Result r = run("prune", "--older-than", "7", "--state", state.toString())
        .assertBadInput("--older-than");
    assertTrue(r.err().contains("kept at least 8 days after its challenge expired"), r.err());
    assertTrue(Files.exists(old));
    run("prune", "--older-than", "x", "--state", state.toString())
        .assertBadInput("--older-than");
  }

  @Test
  void prune_dryRun_removesNothing() throws Exception {
    Path old = stateFor('a', daysAgo(40));
    Result r = run("prune", "--older-than", "8", "--state", state.toString(), "--dry-run")
        .assertOk();
    assertTrue(Files.exists(old.resolve("challenge.json")));
    assertTrue(r.out().contains("would remove 1 states"), r.out());
  }

  @Test
  void prune_leavesAloneWhatProveDidNotWrite() throws Exception {
    Path withExtra = stateFor('a', daysAgo(40));
    Files.writeString(withExtra.resolve("keep.me"), "x");
    Path stray = Files.createDirectories(state.resolve("backup"));
    Result r = run("prune", "--older-than", "8", "--state", state.toString()).assertOk();
    assertTrue(Files.exists(withExtra.resolve("challenge.json")));
    assertTrue(Files.exists(stray));
    assertTrue(r.out().contains("left alone: " + withExtra), r.out());
    assertTrue(r.out().contains("left alone: " + stray), r.out());
  }

  /** A state whose challenge cannot be read is aged by its folder's time. */
  @Test
  void prune_unreadableChallenge_agedByFolderTime() throws Exception {
    Path damaged = stateFor('a', daysAgo(40));
    Files.writeString(damaged.resolve("challenge.json"), "not json");
    Files.setLastModifiedTime(damaged, FileTime.from(daysAgo(3)));
    Path damagedOld = stateFor('b', daysAgo(40));
    Files.writeString(damagedOld.resolve("challenge.json"), "not json");
    Files.setLastModifiedTime(damagedOld, FileTime.from(daysAgo(30)));
    run("prune", "--older-than", "8", "--state", state.toString()).assertOk();
    assertTrue(Files.exists(damaged));
    assertFalse(Files.exists(damagedOld));
  }
}
