package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.gpuattest.service.Service;
import org.gpuattest.service.cli.ServiceMain;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.Stores;
import org.gpuattest.service.store.TestDatabases;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's own faults: an archive that cannot be written and a database that is locked
 * show in health; a verdict whose archiving failed is still indexed, saying so, never lost; and
 * a database lost altogether is rebuilt from the archive ('serve --reindex').
 */
class FaultsTest {
  @TempDir Path dir;

  @Test
  void archiveUnwritable_healthSaysSoAndTheVerdictIsStillIndexed() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("honest", f.honest(), 3600, ""));
    Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 1, Duration.ofSeconds(5),
        null));
    try {
      assertNull(s.health().archiveProblem());
      // The archive's folder replaced by a file: nothing can be kept under it (as root too,
      // which a read-only folder would not stop).
      Path archive = dir.resolve("archive");
      Files.move(archive, dir.resolve("archive.away"));
      Files.writeString(archive, "not a folder");
      assertNotNull(s.health().archiveProblem(), "health names the archive");
      String id = s.attestNow("honest").orElseThrow();
      f.await("the attestation ended", () -> s.store().attestation(id)
          .map(a -> a.state().finished()).orElse(false));
      AttestationRow a = s.store().attestation(id).orElseThrow();
      assertEquals(Store.State.PASSED, a.state(), a.toString());
      assertNull(a.archivePath());
      assertTrue(a.summary().startsWith("verdict: PASS") && a.summary().contains(
          "not archived"), a.summary());
      ByteArrayOutputStream m = new ByteArrayOutputStream();
      s.metrics().write(m);
      assertTrue(m.toString(StandardCharsets.UTF_8).contains(
          "gpu_attest_archive_failures_total 1.0"), m.toString(StandardCharsets.UTF_8));
      Files.delete(archive);
      Files.move(dir.resolve("archive.away"), archive);
      assertNull(s.health().archiveProblem(), "writable again");
    } finally {
      s.close();
    }
  }

  /**
   * Nothing of an exchange is lost when the archive cannot take it: it waits in the spool
   * beside the replay store, whole and signed, and once the archive can be written again it is
   * moved there and its row indexed as a reindex would; a reindex afterwards agrees (nothing
   * new, nothing twice).
   */
  @Test
  void archiveUnwritable_exchangeWaitsInTheSpoolThenIsArchivedAndIndexed() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("honest", f.honest(), 3600, ""));
    String db = TestDatabases.sqlite(dir);
    Service s = f.start(f.config(db, "host-a", 1, Duration.ofSeconds(5), null));
    Path archive = dir.resolve("archive");
    String id;
    AttestationRow archived;
    try {
      Files.move(archive, dir.resolve("archive.away"));
      Files.writeString(archive, "not a folder");
      id = s.attestNow("honest").orElseThrow();
      f.await("the attestation ended", () -> s.store().attestation(id)
          .map(a -> a.state().finished()).orElse(false));
      AttestationRow a = s.store().attestation(id).orElseThrow();
      assertEquals(Store.State.PASSED, a.state(), a.toString());
      assertNull(a.archivePath());
      Path spooled = dir.resolve("archive-spool").resolve(a.finishedAt().toString()
          .substring(0, 10)).resolve(a.challengeId());
      assertTrue(a.summary().contains("; kept in the spool at " + spooled), a.summary());
      ArchivedExchange x = ArchivedExchange.read(spooled);
      assertTrue(x.verdict().passed(), "the whole exchange waits, verdict and evidence");
      assertNotNull(x.openings());
      Files.delete(archive);
      Files.move(dir.resolve("archive.away"), archive);
      f.await("archived and indexed", () -> s.store().attestation(id)
          .map(r -> r.archivePath() != null).orElse(false));
      archived = s.store().attestation(id).orElseThrow();
    } finally {
      s.close();
    }
    assertEquals(Store.State.PASSED, archived.state());
    assertFalse(archived.summary().contains("not archived"), archived.summary());
    assertTrue(Files.isRegularFile(Path.of(archived.archivePath(), "signature.json")));
    assertEquals(archive.toString(), Path.of(archived.archivePath()).getParent().getParent()
        .toString());
    try (var left = Files.walk(dir.resolve("archive-spool"))) {
      assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "the spool emptied");
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, ServiceMain.runServe(new String[] {"serve", "--reindex", "--fleet",
        f.fleetFile.toString(), "--db", db, "--archive", archive.toString(), "--replay-dir",
        dir.resolve("replay").toString()}, new PrintWriter(out), new PrintWriter(err)),
        err.toString());
    assertTrue(out.toString().startsWith("indexed 0 exchanges from " + archive
        + " (1 already indexed, 0 skipped)"), out.toString());
    try (Store store = Stores.open(db, null)) {
      assertEquals(1, store.history("honest", 0, 50).size(), "one row, not two");
    }
  }

  /**
   * The database unwritable as an attestation ends: the exchange is archived first, and its
   * row is written when the database can be written again (the scheduler tries again), no
   * verdict lost.
   */
  @Test
  void databaseLockedAtTheFinish_archivedFirstThenIndexedOnRetry() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("honest", f.honest(), 3600, ""));
    Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 1, Duration.ofSeconds(5),
        null));
    try {
      String id = s.attestNow("honest").orElseThrow();
      f.await("the challenge issued", () -> s.store().attestation(id)
          .map(a -> a.challengeId() != null).orElse(false));
      String challenge = s.store().attestation(id).orElseThrow().challengeId();
      try (Connection c = DriverManager.getConnection(TestDatabases.sqlite(dir));
          Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 0");
        lockExclusively(st);
        f.await("a failed attempt to index it", () -> f.log().contains(
            "cannot index attestation " + id + " yet"));
        try (var found = Files.walk(dir.resolve("archive"))) {
          assertEquals(1, found.filter(p -> p.getFileName().toString().equals(challenge))
              .count(), "archived before the index is written");
        }
        try (var r = st.executeQuery("SELECT state FROM attestations WHERE id = '" + id
            + "'")) {
          assertTrue(r.next());
          assertEquals("RUNNING", r.getString(1), "not yet indexed");
        }
        st.execute("ROLLBACK");
      }
      f.await("indexed once the database is writable", () -> s.store().attestation(id)
          .map(a -> a.state() == Store.State.PASSED && a.archivePath() != null).orElse(false));
    } finally {
      s.close();
    }
  }

  @Test
  void databaseLocked_healthSaysSo() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("idle", f.hanging(), 3600, ""));
    Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 1, Duration.ofSeconds(1),
        null));
    try (Connection c = DriverManager.getConnection(TestDatabases.sqlite(dir));
        Statement st = c.createStatement()) {
      assertNull(s.health().databaseProblem());
      st.execute("PRAGMA busy_timeout = 0");
      lockExclusively(st);
      String problem = s.health().databaseProblem();
      assertNotNull(problem);
      assertTrue(problem.contains("locked") || problem.contains("busy"), problem);
      st.execute("ROLLBACK");
      assertNull(s.health().databaseProblem());
    } finally {
      s.close();
    }
  }

  /**
   * Takes the database's exclusive lock, retrying while the running service itself holds a
   * write lock for a moment (its scheduler renews leases), for at most 10 s.
   */
  private static void lockExclusively(Statement st) throws Exception {
    long until = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try {
        st.execute("BEGIN EXCLUSIVE");
        return;
      } catch (java.sql.SQLException e) {
        boolean busy = e.getMessage() != null && (e.getMessage().contains("SQLITE_BUSY")
            || e.getMessage().contains("locked"));
        if (!busy || System.nanoTime() > until) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }

  @Test
  void reindex_databaseLost_rebuiltFromTheArchiveOnce() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("honest", f.honest(), 3600, ""));
    String db = TestDatabases.sqlite(dir);
    Service s = f.start(f.config(db, "host-a", 1, Duration.ofSeconds(5), null));
    String challenge;
    try {
      String id = s.attestNow("honest").orElseThrow();
      f.await("a pass", () -> s.store().attestation(id)
          .map(a -> a.state() == Store.State.PASSED).orElse(false));
      challenge = s.store().attestation(id).orElseThrow().challengeId();
    } finally {
      s.close();
    }
    Files.delete(dir.resolve("service.db"));
    String[] args = {"serve", "--reindex", "--fleet", f.fleetFile.toString(), "--db", db,
        "--archive", dir.resolve("archive").toString(), "--replay-dir",
        dir.resolve("replay").toString()};
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, ServiceMain.runServe(args, new PrintWriter(out), new PrintWriter(err)),
        err.toString());
    assertTrue(out.toString().startsWith("indexed 1 exchanges from " + dir.resolve("archive")
        + " (0 already indexed, 0 skipped)"), out.toString());
    StringWriter again = new StringWriter();
    assertEquals(0, ServiceMain.runServe(args, new PrintWriter(again), new PrintWriter(err)));
    assertTrue(again.toString().startsWith("indexed 0 exchanges"), again.toString());
    try (Store store = Stores.open(db, null)) {
      AttestationRow a = store.attestation(challenge).orElseThrow();
      assertEquals(Store.State.PASSED, a.state());
      assertEquals("honest", a.provider());
      assertNotNull(a.archivePath());
    }
  }
}
