package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.NOW;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.json.Json;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator prune' by age, on the harness's fixed clock: it removes old exchanges and old
 * replay entries, keeps young ones, never goes below the replay store's floor, and leaves
 * alone (and lists) whatever it did not write.
 */
class ValidatorPruneTest {
  @TempDir Path dir;
  private Path archive;
  private Path replay;

  @BeforeEach
  void stores() {
    archive = dir.resolve("archive");
    replay = dir.resolve("replay");
  }

  /** An exchange folder as the archive writes it, verified {@code age} before NOW. */
  private Path exchange(String id, Duration age) throws Exception {
    Instant at = NOW.minus(age);
    Path folder = archive.resolve(at.toString().substring(0, 10)).resolve(id);
    Files.createDirectories(folder);
    Files.write(folder.resolve("record.json"), Json.write(new ArchiveRecord(1, id,
        ArchiveRecord.VERIFY, at.toString(), at.toString(), ValidatorCli.version(), null,
        new ArchiveRecord.Options(true, false, null), null, null)));
    Files.writeString(folder.resolve("session.json"), "{}");
    Files.writeString(folder.resolve("openings.b64"), "e30=");
    Files.writeString(folder.resolve("verdict.json"), "{}");
    return folder;
  }

  private static String id(char c) {
    return String.valueOf(c).repeat(32);
  }

  /** 'prune' on the test's archive, and its replay store unless --archive-only is given. */
  private Result prune(String... extra) {
    List<String> args = new ArrayList<>(List.of("prune", "--archive", archive.toString()));
    if (!List.of(extra).contains("--archive-only")) {
      args.addAll(List.of("--replay-dir", replay.toString()));
    }
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  @Test
  void prune_removesOldExchangesOnlyAndEmptiedDateFolders() throws Exception {
    Path old = exchange(id('a'), Duration.ofDays(30));
    Path young = exchange(id('b'), Duration.ofDays(2));
    Result r = prune("--archive-only", "--older-than", "10").assertOk();
    assertFalse(Files.exists(old));
    assertFalse(Files.exists(old.getParent()), "the emptied date folder is removed");
    assertTrue(Files.exists(young.resolve("record.json")));
    assertTrue(r.out().contains("evidence archive " + archive + ": removed 1 exchanges ("),
        r.out());
    assertTrue(r.out().contains("kept 1"), r.out());
    assertFalse(r.out().contains("replay store"), "--archive-only: " + r.out());
  }

  @Test
  void prune_dryRun_removesNothingAndSaysWhatItWould() throws Exception {
    Path old = exchange(id('a'), Duration.ofDays(30));
    Result r = prune("--archive-only", "--older-than", "10", "--dry-run").assertOk();
    assertTrue(Files.exists(old.resolve("verdict.json")));
    assertTrue(r.out().contains("would remove 1 exchanges"), r.out());
  }

  @Test
  void prune_leavesAloneWhatItDidNotWrite() throws Exception {
    Path withNotes = exchange(id('c'), Duration.ofDays(30));
    Files.writeString(withNotes.resolve("notes.txt"), "mine");
    Path stray = Files.writeString(Files.createDirectories(archive).resolve("README"), "x");
    Path oddFolder = Files.createDirectories(withNotes.getParent().resolve("not-an-id"));
    Result r = prune("--archive-only", "--older-than", "10").assertOk();
    assertTrue(Files.exists(withNotes.resolve("record.json")));
    assertTrue(Files.exists(withNotes.resolve("notes.txt")));
    assertTrue(Files.exists(stray));
    assertTrue(Files.exists(oddFolder));
    assertTrue(r.out().contains("left alone: " + withNotes
        + " (holds files the archive does not write)"), r.out());
    assertTrue(r.out().contains("left alone: " + stray), r.out());
    assertTrue(r.out().contains("left alone: " + oddFolder), r.out());
  }

  /** Without a readable record, the age is the end of the folder's day. */
  @Test
  void prune_unreadableRecord_agedByItsDateFolder() throws Exception {
    Path old = exchange(id('d'), Duration.ofDays(30));
    Files.writeString(old.resolve("record.json"), "{ broken");
    Path recent = exchange(id('e'), Duration.ofDays(3));
    Files.writeString(recent.resolve("record.json"), "{ broken");
    prune("--archive-only", "--older-than", "3").assertOk();
    assertFalse(Files.exists(old));
    assertTrue(Files.exists(recent), "the day's end is less than 3 days ago");
  }

  @Test
  void prune_replayStore_removesOldEntriesKeepsYoungOnes() throws Exception {
    ReplayStore store = new ReplayStore(replay);
    store.claim(id('1'), NOW.minus(Duration.ofDays(40)));
    store.claim(id('2'), NOW.minus(Duration.ofDays(9)));
    store.claim(id('3'), NOW.minus(Duration.ofDays(1)));
    Path noTime = Files.writeString(replay.resolve(id('4')), "garbage\n");
    Files.setLastModifiedTime(noTime, FileTime.from(NOW.minus(Duration.ofDays(50))));
    Path stray = Files.writeString(replay.resolve("notes.txt"), "x");
    Result r = prune("--older-than", "8").assertOk();
    assertFalse(Files.exists(replay.resolve(id('1'))));
    assertFalse(Files.exists(replay.resolve(id('2'))));
    assertTrue(Files.exists(replay.resolve(id('3'))));
    assertFalse(Files.exists(noTime), "aged by its file time");
    assertTrue(Files.exists(stray));
    assertTrue(r.out().contains("replay store " + replay + ": removed 3 entries ("), r.out());
    assertTrue(r.out().contains("kept 1"), r.out());
    assertTrue(r.out().contains("left alone: " + stray), r.out());
    assertFalse(store.claim(id('3'), NOW), "a young id stays used");
  }

  /** Below the floor a replay entry may name a challenge still valid: refused. */
  @Test
  void prune_fewerDaysThanTheReplayFloor_exit2AndNothingRemoved() throws Exception {
    new ReplayStore(replay).claim(id('1'), NOW.minus(Duration.ofDays(40)));
    Path old = exchange(id('a'), Duration.ofDays(30));
    Result r = prune("--older-than", "7").assertBadInput("--older-than");
    assertTrue(r.err().contains("--archive-only"), r.err());
    assertTrue(Files.exists(replay.resolve(id('1'))));
    assertTrue(Files.exists(old));
  }

  @Test
  void prune_badDays_exit2() {
    prune("--archive-only", "--older-than", "-1").assertBadInput("--older-than");
    prune("--archive-only", "--older-than", "x").assertBadInput("--older-than");
    prune("--archive-only", "--older-than", "99999999").assertBadInput("--older-than");
  }

  @Test
  void prune_missingStores_nothingToRemove() {
    Result r = prune("--older-than", "30").assertOk();
    assertTrue(r.out().contains("evidence archive " + archive
        + ": does not exist; nothing to remove"), r.out());
    assertTrue(r.out().contains("replay store " + replay
        + ": does not exist; nothing to remove"), r.out());
    assertEquals(2, r.out().lines().count(), r.out());
  }
}
