package org.gpuattest.service.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The provider list's reads for {@link FleetState}: each provider's row with its totals and its
 * latest attestation (migration V2 keeps both on the row), all of them in one query or one of
 * them by its key, and the passing rates; none reads a provider's whole history. And the write
 * that keeps those totals, {@link #total}, in each result's transaction.
 */
final class ProviderRows {
  private static final String SELECT = "SELECT p.name, p.model, p.gpus, p.interval_ms,"
      + " p.active, p.next_due_ms, p.lease_owner, p.lease_until_ms, p.failures_in_a_row,"
      + " p.passed, p.failed, p.prover_failures, p.last_pass_ms, p.version, p.results,"
      + " a.id, a.provider, a.state, a.instance, a.requested_ms, a.started_ms, a.finished_ms,"
      + " a.challenge_id, a.model, a.gpus, a.summary, a.failed_checks, a.prover_failure,"
      + " a.backend, a.tflops_per_gpu, a.elapsed_seconds, a.archive_path, a.memory_tbps"
      + " FROM providers p LEFT JOIN attestations a ON a.id = p.last_id";
  private static final String RATES = "SELECT id, provider, model, backend, tflops_per_gpu,"
      + " finished_ms, memory_tbps FROM attestations WHERE state = 'PASSED' AND tflops_per_gpu IS NOT NULL"
      + " AND finished_ms >= ?";

  private ProviderRows() {}

  static List<FleetState.Row> all(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT)) {
      return read(s);
    }
  }

  static Optional<FleetState.Row> one(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT + " WHERE p.name = ?")) {
      s.setString(1, name);
      return read(s).stream().findFirst();
    }
  }

  /** One provider's passing rates finished at or after {@code since}. */
  static List<FleetState.Rated> rates(Connection c, String provider, Instant since)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(RATES + " AND provider = ?")) {
      s.setLong(1, since.toEpochMilli());
      s.setString(2, provider);
      return rates(s).getOrDefault(provider, List.of());
    }
  }

  /** Every provider's passing rates finished at or after {@code since}, by provider. */
  static Map<String, List<FleetState.Rated>> rates(Connection c, Instant since)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(RATES)) {
      s.setLong(1, since.toEpochMilli());
      return rates(s);
    }
  }

  /**
   * Keeps the provider's totals and latest attestation (migration V2) as one of its
   * attestations goes from {@code wasState} to {@code state}: counts changed by the difference,
   * the latest found by an index probe each.
   */
  static void total(Connection c, String provider, String wasState,
      String wasProverFailure, String state, String proverFailure) throws SQLException {
    Sql.update(c, "UPDATE providers SET passed = passed + ?, failed = failed + ?,"
        + " prover_failures = prover_failures + ?, results = results + 1,"
        + " version = version + 1,"
        + " last_id = (SELECT a.id FROM attestations a WHERE a.provider = ?"
        + " AND a.finished_ms IS NOT NULL ORDER BY a.finished_ms DESC, a.id LIMIT 1),"
        + " last_pass_ms = (SELECT MAX(a.finished_ms) FROM attestations a WHERE a.provider = ?"
        + " AND a.state = 'PASSED') WHERE name = ?",
        change("PASSED", wasState, state), change("FAILED", wasState, state),
        (proverFailure != null ? 1 : 0) - (wasProverFailure != null ? 1 : 0), provider,
        provider, provider);
  }

  private static int change(String counted, String was, String now) {
    return (counted.equals(now) ? 1 : 0) - (counted.equals(was) ? 1 : 0);
  }

  private static Map<String, List<FleetState.Rated>> rates(PreparedStatement s)
      throws SQLException {
    Map<String, List<FleetState.Rated>> out = new HashMap<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.computeIfAbsent(r.getString(2), p -> new ArrayList<>()).add(new FleetState.Rated(
            r.getString(1), new Store.Rate(r.getString(2), r.getString(3), r.getString(4),
                r.getDouble(5), Instant.ofEpochMilli(r.getLong(6)), number(r, 7))));
      }
    }
    return out;
  }

  private static List<FleetState.Row> read(PreparedStatement s) throws SQLException {
    List<FleetState.Row> out = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        String lastId = r.getString(16);
        AttestationRow last = lastId == null ? null : new AttestationRow(lastId,
            r.getString(17), Store.State.valueOf(r.getString(18)), r.getString(19),
            instant(r, 20), instant(r, 21), instant(r, 22), r.getString(23), r.getString(24),
            r.getInt(25), r.getString(26), r.getString(27), r.getString(28), r.getString(29),
            number(r, 30), number(r, 31), r.getString(32), number(r, 33));
        ProviderStatus status = new ProviderStatus(r.getString(1), r.getString(2), r.getInt(3),
            Duration.ofMillis(r.getLong(4)), r.getInt(5) == 1, Instant.ofEpochMilli(r.getLong(6)),
            r.getString(7), instant(r, 8), r.getInt(9), r.getLong(10), r.getLong(11),
            r.getLong(12), last, instant(r, 13));
        out.add(new FleetState.Row(status, r.getLong(14), r.getLong(15)));
      }
    }
    return out;
  }

  private static Instant instant(ResultSet r, int column) throws SQLException {
    long v = r.getLong(column);
    return r.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static Double number(ResultSet r, int column) throws SQLException {
    double v = r.getDouble(column);
    return r.wasNull() ? null : v;
  }
}
