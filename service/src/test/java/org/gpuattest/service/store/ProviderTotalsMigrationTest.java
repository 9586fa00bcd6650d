package org.gpuattest.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration V2's backfill on a database that already has a history: a V1 schema (Flyway's
 * target 1) with attestations of every state, migrated to V2, must carry on each provider's row
 * the totals and the latest attestation that counting every attestation gives (the list as it
 * was read before V2), on SQLite and on PostgreSQL ({@link TestDatabases}).
 */
class ProviderTotalsMigrationTest {
  private static final List<String> PROVIDERS = List.of("busy", "failing", "idle");
  private static final String MODEL = "NVIDIA H100 80GB HBM3";
  private static final long T0 = 1_780_000_000_000L;

  @TempDir Path dir;

  @Test
  void migrateV1ToV2_sqliteWithHistory_totalsAsCountedOverEveryAttestation() throws Exception {
    migrateWithHistory(TestDatabases.sqlite(dir));
  }

  @Test
  void migrateV1ToV2_postgresWithHistory_totalsAsCountedOverEveryAttestation()
      throws Exception {
    assumeTrue(TestDatabases.postgresServer() != null, TestDatabases.noPostgres());
    migrateWithHistory(TestDatabases.freshPostgresSchema());
  }

  /** One V1 attestation row: what the backfill reads of it. */
  private record Row(String id, String provider, String state, Long finishedMs,
      String proverFailure) {}

  private static void migrateWithHistory(String url) throws Exception {
    flyway(url, "1").migrate();
    List<Row> rows = history();
    try (Connection c = DriverManager.getConnection(url)) {
      for (String p : PROVIDERS) {
        Sql.update(c, "INSERT INTO providers (name, model, gpus, interval_ms, active,"
            + " next_due_ms, failures_in_a_row) VALUES (?, ?, 8, 3600000, 1, ?, 0)", p, MODEL,
            T0);
      }
      for (Row r : rows) {
        Sql.update(c, "INSERT INTO attestations (id, provider, state, started_ms, finished_ms,"
            + " challenge_id, model, gpus, summary, prover_failure, backend, tflops_per_gpu)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, 8, ?, ?, ?, ?)", r.id(), r.provider(), r.state(),
            r.finishedMs() == null ? T0 : r.finishedMs() - 1000, r.finishedMs(), r.id(), MODEL,
            "verdict", r.proverFailure(), r.state().equals("PASSED") ? "cuda" : null,
            r.state().equals("PASSED") ? 50.0 : null);
      }
    }
    flyway(url, "2").migrate();

    Map<String, List<Object>> expected = new TreeMap<>();
    PROVIDERS.forEach(p -> expected.put(p, counted(rows, p)));
    Map<String, List<Object>> onRows = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement s = c.prepareStatement("SELECT name, passed, failed, prover_failures,"
            + " last_pass_ms, last_id FROM providers");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        long lastPass = r.getLong(5);
        long orNone = r.wasNull() ? -1L : lastPass;
        onRows.put(r.getString(1), List.of(r.getLong(2), r.getLong(3), r.getLong(4), orNone,
            r.getString(6) == null ? "" : r.getString(6)));
      }
    }
    assertEquals(expected, onRows, "passed, failed, prover failures, last pass, latest id");

    try (Store store = Stores.open(url, null)) { // the list the service shows from those rows
      Map<String, List<Object>> listed = new TreeMap<>();
      for (ProviderStatus p : store.providers()) {
        listed.put(p.name(), List.of(p.passed(), p.failed(), p.proverFailures(),
            p.lastPassAt() == null ? -1L : p.lastPassAt().toEpochMilli(),
            p.last() == null ? "" : p.last().id()));
      }
      assertEquals(expected, listed);
    }
  }

  private static Flyway flyway(String url, String target) {
    return Flyway.configure().dataSource(url, null, null)
        .locations("classpath:org/gpuattest/service/store/migration").target(target)
        .loggers("slf4j").load();
  }

  /**
   * A history of every state, seeded: 'busy' and 'failing' with results, prover failures and
   * attestations not finished (running, queued); two results finished in the same millisecond
   * (the latest is then the least id); 'idle' with none; and rows of a provider not in the
   * table, which no row counts.
   */
  private static List<Row> history() {
    SplittableRandom random = new SplittableRandom(22);
    String[] states = {"PASSED", "FAILED", "ERROR", "INTERRUPTED", "RUNNING", "QUEUED"};
    List<Row> out = new ArrayList<>();
    Map<String, Integer> next = new HashMap<>();
    for (String p : List.of("busy", "failing", "gone")) {
      for (int i = 0; i < 40; i++) {
        String state = p.equals("failing") && random.nextInt(4) > 0 ? "FAILED"
            : states[random.nextInt(states.length)];
        boolean finished = !state.equals("RUNNING") && !state.equals("QUEUED");
        String proverFailure = state.equals("FAILED") && random.nextBoolean() ? "prover.exit"
            : state.equals("ERROR") && random.nextInt(3) == 0 ? "devices.count" : null;
        int n = next.merge(p, 1, Integer::sum);
        out.add(new Row(String.format("%s-%03d", p, n), p, state,
            finished ? T0 + 60_000L * random.nextInt(30) : null, proverFailure));
      }
    }
    // The same millisecond as the latest result, with a greater id: not the latest.
    Row latest = out.stream().filter(r -> r.provider().equals("busy") && r.finishedMs() != null)
        .max((a, b) -> a.finishedMs().equals(b.finishedMs()) ? b.id().compareTo(a.id())
            : Long.compare(a.finishedMs(), b.finishedMs())).orElseThrow();
    out.add(new Row("busy-999", "busy", "PASSED", latest.finishedMs(), null));
    return out;
  }

  /** passed, failed, prover failures, last pass (ms, -1: none), latest finished id: counted. */
  private static List<Object> counted(List<Row> rows, String provider) {
    long passed = 0;
    long failed = 0;
    long proverFailures = 0;
    long lastPass = -1;
    Row latest = null;
    for (Row r : rows) {
      if (!r.provider().equals(provider)) {
        continue;
      }
      passed += r.state().equals("PASSED") ? 1 : 0;
      failed += r.state().equals("FAILED") ? 1 : 0;
      proverFailures += r.proverFailure() != null ? 1 : 0;
      if (r.state().equals("PASSED")) {
        lastPass = Math.max(lastPass, r.finishedMs());
      }
      if (r.finishedMs() != null && (latest == null || r.finishedMs() > latest.finishedMs()
          || r.finishedMs().equals(latest.finishedMs()) && r.id().compareTo(latest.id()) < 0)) {
        latest = r;
      }
    }
    return List.of(passed, failed, proverFailures, lastPass, latest == null ? "" : latest.id());
  }
}
