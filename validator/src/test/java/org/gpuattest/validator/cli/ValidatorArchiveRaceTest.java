package org.gpuattest.validator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two 'validator verify' runs of one session, on one replay store and archive: the one that
 * claims the challenge id first keeps its record and exits by its verdict; the replay exits 1
 * and neither replaces nor blocks that record, whichever finishes first (docs/protocol.md
 * section 8.5). Each interleaving is forced, not hoped for: a run's standard output holds it
 * once its verdict is printed, after the replay claim and before the archive, until the test
 * lets it go on.
 */
class ValidatorArchiveRaceTest {
  private static final long WAIT_SECONDS = 120;
  @TempDir Path dir;
  private ArchiveFixture x;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void exchange() throws Exception {
    x = new ArchiveFixture(dir);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Standard output that, on the flush of the verdict, says so and waits to be let go on. */
  private static final class HeldOutput extends Writer {
    final StringWriter text = new StringWriter();
    final CountDownLatch printed = new CountDownLatch(1);
    final CountDownLatch goOn = new CountDownLatch(1);

    @Override
    public void write(char[] buf, int off, int len) {
      text.write(buf, off, len);
    }

    @Override
    public void flush() {
      if (printed.getCount() > 0 && text.getBuffer().length() > 0) {
        printed.countDown();
        try {
          if (!goOn.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never let go on");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void close() {}
  }

  /** 'validator verify' of the fixture's session at {@code at}, its output to {@code out}. */
  private Result verify(Instant at, Writer out, String... extra) {
    List<String> args = new ArrayList<>(List.of("verify", "--json", "--session",
        x.session.toString(), "--openings", x.openings, "--allow-cpu", "--replay-dir",
        x.replay.toString()));
    args.addAll(List.of(extra));
    if (!args.contains("--no-archive")) {
      args.addAll(List.of("--archive", x.archive.toString()));
    }
    StringWriter err = new StringWriter();
    StringWriter plain = out instanceof HeldOutput h ? h.text : (StringWriter) out;
    int code = ValidatorCli.run(args.toArray(String[]::new), InputStream.nullInputStream(),
        new PrintWriter(out), new PrintWriter(err), new Environment(
            Clock.fixed(at, ZoneOffset.UTC), new SecureRandom(), GpuProfiles.bundled()));
    return new Result(code, plain.toString(), err.toString());
  }

  private Future<Result> start(HeldOutput out) {
    return pool.submit(() -> verify(ArchiveFixture.VERIFIED, out));
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertTrue(latch.await(WAIT_SECONDS, TimeUnit.SECONDS), "the run never got there");
  }

  /** Every exchange folder in the archive. */
  private List<Path> exchanges() throws Exception {
    if (!Files.exists(x.archive)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(x.archive, 2)) {
      return all.filter(p -> p.getNameCount() == x.archive.getNameCount() + 2).toList();
    }
  }

  /** The first run passed and is the record kept; the replay failed challenge.replay only. */
  private void assertFirstKept(Result first, Result replay) throws Exception {
    assertEquals(ExitCodes.OK, first.code(), first.describe());
    first.assertNoStackTrace();
    assertEquals(ExitCodes.REJECTED, replay.code(), replay.describe());
    replay.assertNoStackTrace();
    assertTrue(replay.err().contains("this replayed challenge is not archived"),
        replay.err());
    Verdict v = Json.read("verdict", replay.out().getBytes(), Verdict.class);
    assertEquals("fail", v.check("challenge.replay").status(), replay.out());
    assertEquals(List.of(x.folder()), exchanges());
    assertEquals(first.out(), Files.readString(x.folder().resolve("verdict.json")),
        "the archive keeps the first verification's verdict");
    x.reverifyAt(ArchiveFixture.VERIFIED).assertOk();
  }

  /** The replay finishes, archive step and all, while the first run waits to archive. */
  @Test
  void replayFinishesFirst_firstRecordKept_replayExit1() throws Exception {
    HeldOutput firstOut = new HeldOutput();
    Future<Result> first = start(firstOut);
    await(firstOut.printed);
    Result replay = verify(ArchiveFixture.VERIFIED, new StringWriter());
    assertEquals(List.of(), exchanges(), "the replay archived something");
    firstOut.goOn.countDown();
    assertFirstKept(first.get(WAIT_SECONDS, TimeUnit.SECONDS), replay);
  }

  /** Both verdicts made; the first run archives while the replay waits to, then the replay. */
  @Test
  void firstArchivesWhileReplayWaits_firstRecordKept_replayExit1() throws Exception {
    HeldOutput firstOut = new HeldOutput();
    HeldOutput replayOut = new HeldOutput();
    Future<Result> first = start(firstOut);
    await(firstOut.printed);
    Future<Result> replay = start(replayOut);
    await(replayOut.printed);
    firstOut.goOn.countDown();
    Result firstResult = first.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(List.of(x.folder()), exchanges());
    replayOut.goOn.countDown();
    assertFirstKept(firstResult, replay.get(WAIT_SECONDS, TimeUnit.SECONDS));
  }

  /** A replay verified on another day would have its own date folder: it is not archived. */
  @Test
  void replayOnAnotherDay_notArchived() throws Exception {
    Result first = verify(ArchiveFixture.VERIFIED, new StringWriter());
    Result replay = verify(ArchiveFixture.VERIFIED.plus(Duration.ofDays(1)),
        new StringWriter());
    assertFirstKept(first, replay);
  }

  /** Nor when the first verification was kept nowhere: the archive never holds a replay. */
  @Test
  void firstNotArchived_replayStillNotArchived() throws Exception {
    verify(ArchiveFixture.VERIFIED, new StringWriter(), "--no-archive").assertOk();
    Result replay = verify(ArchiveFixture.VERIFIED, new StringWriter());
    assertEquals(ExitCodes.REJECTED, replay.code(), replay.describe());
    assertEquals(List.of(), exchanges());
    assertFalse(replay.err().contains("Exception"), replay.err());
  }
}
