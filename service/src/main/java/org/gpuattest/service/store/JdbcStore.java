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
import java.util.UUID;

/**
 * {@link Store} over JDBC, for SQLite and PostgreSQL alike: the same SQL but for the claim,
 * where PostgreSQL locks the provider's row with {@code FOR UPDATE SKIP LOCKED} (two hosts
 * claiming at once each skip the row the other holds) and SQLite, one file on one host, takes
 * the database's write lock at the transaction's start. Each method is one transaction on a
 * connection of its own, closed at its end: no connection is shared between threads.
 */
final class JdbcStore implements Store {
  enum Dialect {
    SQLITE, POSTGRESQL;

    static Dialect of(String url) {
      if (url.startsWith("jdbc:sqlite:")) {
        return SQLITE;
      }
      if (url.startsWith("jdbc:postgresql:")) {
        return POSTGRESQL;
      }
      throw new IllegalArgumentException("--db: a jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB"
          + " URL, got one for another database");
    }
  }

  private final Dialect dialect;
  private final Connections connections;

  JdbcStore(Dialect dialect, Connections connections) {
    this.dialect = dialect;
    this.connections = connections;
  }

  /** One transaction: its body's result, committed; rolled back on any exception. */
  private <T> T tx(String what, Body<T> body) {
    try (Connection c = connections.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = body.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("database " + redact(connections.url) + ": cannot " + what
          + ": " + Stores.oneLine(e.getMessage()), e);
    }
  }

  private interface Body<T> {
    T run(Connection c) throws SQLException;
  }

  @Override
  public void syncFleet(List<ProviderSpec> fleet, Instant now, FirstDue firstDue) {
    tx("update the providers", c -> {
      Map<String, Boolean> known = new HashMap<>();
      try (PreparedStatement s = c.prepareStatement("SELECT name FROM providers");
          ResultSet r = s.executeQuery()) {
        while (r.next()) {
          known.put(r.getString(1), false);
        }
      }
      for (ProviderSpec p : fleet) {
        if (known.containsKey(p.name())) {
          Sql.update(c, "UPDATE providers SET model = ?, gpus = ?, interval_ms = ?, active = 1"
              + " WHERE name = ?", p.model(), p.gpus(), p.interval().toMillis(), p.name());
        } else {
          Sql.update(c, "INSERT INTO providers (name, model, gpus, interval_ms, active,"
              + " next_due_ms, failures_in_a_row) VALUES (?, ?, ?, ?, 1, ?, 0)", p.name(),
              p.model(), p.gpus(), p.interval().toMillis(),
              firstDue.of(p.name(), now).toEpochMilli());
        }
        known.put(p.name(), true);
      }
      for (Map.Entry<String, Boolean> e : known.entrySet()) {
        if (!e.getValue()) {
          Sql.update(c, "UPDATE providers SET active = 0 WHERE name = ?", e.getKey());
        }
      }
      return null;
    });
  }

  @Override
  public Optional<Claim> claimDue(String instance, Instant now, Duration lease,
      List<String> skip) {
    return tx("claim a provider", c -> {
      StringBuilder sql = new StringBuilder("SELECT name, model, gpus, failures_in_a_row"
          + " FROM providers"
          + " WHERE active = 1 AND next_due_ms <= ? AND (lease_until_ms IS NULL"
          + " OR lease_until_ms < ?)");
      skip.forEach(s -> sql.append(" AND name <> ?"));
      sql.append(" ORDER BY next_due_ms, name LIMIT 1");
      if (dialect == Dialect.POSTGRESQL) {
        sql.append(" FOR UPDATE SKIP LOCKED");
      }
      String name;
      String model;
      int gpus;
      int failures;
      try (PreparedStatement s = c.prepareStatement(sql.toString())) {
        s.setLong(1, now.toEpochMilli());
        s.setLong(2, now.toEpochMilli());
        for (int i = 0; i < skip.size(); i++) {
          s.setString(3 + i, skip.get(i));
        }
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            return Optional.empty();
          }
          name = r.getString(1);
          model = r.getString(2);
          gpus = r.getInt(3);
          failures = r.getInt(4);
        }
      }
      Sql.update(c, "UPDATE providers SET lease_owner = ?, lease_until_ms = ? WHERE name = ?",
          instance, now.plus(lease).toEpochMilli(), name);
      String id = null;
      try (PreparedStatement s = c.prepareStatement("SELECT id FROM attestations WHERE"
          + " provider = ? AND state = 'QUEUED' ORDER BY requested_ms, id LIMIT 1")) {
        s.setString(1, name);
        try (ResultSet r = s.executeQuery()) {
          if (r.next()) {
            id = r.getString(1);
          }
        }
      }
      if (id != null) {
        Sql.update(c, "UPDATE attestations SET state = 'RUNNING', instance = ?, started_ms = ?,"
            + " model = ?, gpus = ? WHERE id = ?", instance, now.toEpochMilli(), model, gpus,
            id);
      } else {
        id = UUID.randomUUID().toString();
        Sql.update(c, "INSERT INTO attestations (id, provider, state, instance, started_ms, model,"
            + " gpus) VALUES (?, ?, 'RUNNING', ?, ?, ?, ?)", id, name, instance,
            now.toEpochMilli(), model, gpus);
      }
      return Optional.of(new Claim(name, id, failures));
    });
  }

  @Override
  public long countDue(Instant now) {
    return tx("count the providers due", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM providers WHERE"
          + " active = 1 AND next_due_ms <= ? AND (lease_until_ms IS NULL"
          + " OR lease_until_ms < ?)")) {
        s.setLong(1, now.toEpochMilli());
        s.setLong(2, now.toEpochMilli());
        try (ResultSet r = s.executeQuery()) {
          r.next();
          return r.getLong(1);
        }
      }
    });
  }

  @Override
  public boolean renew(String provider, String instance, Instant until) {
    return tx("renew a lease", c -> Sql.update(c, "UPDATE providers SET lease_until_ms = ?"
        + " WHERE name = ? AND lease_owner = ?", until.toEpochMilli(), provider, instance) == 1);
  }

  @Override
  public void challengeIssued(String attestationId, String challengeId, Instant at) {
    tx("note a challenge", c -> Sql.update(c, "UPDATE attestations SET challenge_id = ?"
        + " WHERE id = ?", challengeId, attestationId));
  }

  @Override
  public void finish(String attestationId, Result r, Instant nextDue, int failuresInARow) {
    tx("record an attestation", c -> {
      String provider = null;
      String instance = null;
      try (PreparedStatement s = c.prepareStatement("SELECT provider, instance FROM"
          + " attestations WHERE id = ?")) {
        s.setString(1, attestationId);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            provider = rs.getString(1);
            instance = rs.getString(2);
          }
        }
      }
      if (provider == null) {
        throw new SQLException("no attestation " + attestationId);
      }
      Sql.update(c, "UPDATE attestations SET state = ?, finished_ms = ?, challenge_id ="
          + " COALESCE(?, challenge_id), summary = ?, failed_checks = ?, prover_failure = ?,"
          + " backend = ?, tflops_per_gpu = ?, elapsed_seconds = ?, archive_path = ?,"
          + " memory_tbps = ? WHERE id = ?", r.state().name(), r.finishedAt().toEpochMilli(),
          r.challengeId(), r.summary(), r.failedChecks(), r.proverFailure(), r.backend(),
          r.tflopsPerGpu(), r.elapsedSeconds(), r.archivePath(), r.memoryTBps(),
          attestationId);
      // The lease is released only by its holder: a lease that lapsed and was taken over
      // belongs to the instance that took it.
      Sql.update(c, "UPDATE providers SET next_due_ms = ?, failures_in_a_row = ?,"
          + " lease_owner = NULL, lease_until_ms = NULL WHERE name = ? AND (lease_owner = ?"
          + " OR lease_owner IS NULL)", nextDue.toEpochMilli(), failuresInARow, provider,
          instance);
      return null;
    });
  }

  @Override
  public Optional<String> requestNow(String provider, Instant now) {
    return tx("queue an attestation", c -> {
      String model;
      int gpus;
      try (PreparedStatement s = c.prepareStatement("SELECT model, gpus FROM providers"
          + " WHERE name = ? AND active = 1")) {
        s.setString(1, provider);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            return Optional.empty();
          }
          model = r.getString(1);
          gpus = r.getInt(2);
        }
      }
      // One queued attestation per provider: asking again returns the one waiting.
      try (PreparedStatement s = c.prepareStatement("SELECT id FROM attestations WHERE"
          + " provider = ? AND state = 'QUEUED'")) {
        s.setString(1, provider);
        try (ResultSet r = s.executeQuery()) {
          if (r.next()) {
            return Optional.of(r.getString(1));
          }
        }
      }
      String id = UUID.randomUUID().toString();
      Sql.update(c, "INSERT INTO attestations (id, provider, state, requested_ms, model, gpus)"
          + " VALUES (?, ?, 'QUEUED', ?, ?, ?)", id, provider, now.toEpochMilli(), model, gpus);
      Sql.update(c, "UPDATE providers SET next_due_ms = ? WHERE name = ? AND next_due_ms > ?",
          now.toEpochMilli(), provider, now.toEpochMilli());
      return Optional.of(id);
    });
  }

  @Override
  public List<AttestationRow> orphaned(String instance, Instant now) {
    return tx("find interrupted attestations", c -> Sql.rows(c, "SELECT a.* FROM attestations a"
        + " JOIN providers p ON p.name = a.provider WHERE a.state = 'RUNNING' AND"
        + " (a.instance = ? OR p.lease_owner IS NULL OR p.lease_owner <> a.instance"
        + " OR p.lease_until_ms < ?) ORDER BY a.started_ms", instance, now.toEpochMilli()));
  }

  @Override
  public List<ProviderStatus> providers() {
    return tx("read the providers", c -> statuses(c, null));
  }

  @Override
  public Optional<ProviderStatus> provider(String name) {
    return tx("read a provider", c -> statuses(c, name).stream().findFirst());
  }

  private List<ProviderStatus> statuses(Connection c, String only) throws SQLException {
    String where = only == null ? "" : " WHERE provider = ?";
    Map<String, long[]> counts = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT provider,"
        + " SUM(CASE WHEN state = 'PASSED' THEN 1 ELSE 0 END),"
        + " SUM(CASE WHEN state = 'FAILED' THEN 1 ELSE 0 END),"
        + " SUM(CASE WHEN prover_failure IS NOT NULL THEN 1 ELSE 0 END),"
        + " MAX(CASE WHEN state = 'PASSED' THEN finished_ms END)"
        + " FROM attestations" + where + " GROUP BY provider")) {
      if (only != null) {
        s.setString(1, only);
      }
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          long lastPass = r.getLong(5);
          counts.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3), r.getLong(4),
              r.wasNull() ? -1 : lastPass});
        }
      }
    }
    Map<String, AttestationRow> last = new HashMap<>();
    for (AttestationRow a : Sql.rows(c, "SELECT a.* FROM attestations a JOIN (SELECT provider,"
        + " MAX(finished_ms) AS m FROM attestations WHERE finished_ms IS NOT NULL"
        + (only == null ? "" : " AND provider = ?") + " GROUP BY provider) l"
        + " ON a.provider = l.provider AND a.finished_ms = l.m ORDER BY a.id",
        only == null ? new Object[0] : new Object[] {only})) {
      last.putIfAbsent(a.provider(), a);
    }
    List<ProviderStatus> out = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT name, model, gpus, interval_ms,"
        + " active, next_due_ms, lease_owner, lease_until_ms, failures_in_a_row FROM providers"
        + (only == null ? "" : " WHERE name = ?") + " ORDER BY active DESC, name")) {
      if (only != null) {
        s.setString(1, only);
      }
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String name = r.getString(1);
          long[] n = counts.getOrDefault(name, new long[] {0, 0, 0, -1});
          out.add(new ProviderStatus(name, r.getString(2), r.getInt(3),
              Duration.ofMillis(r.getLong(4)), r.getInt(5) == 1,
              Instant.ofEpochMilli(r.getLong(6)), r.getString(7), Sql.instant(r, "lease_until_ms"),
              r.getInt(9),
              n[0], n[1], n[2], last.get(name), n[3] < 0 ? null : Instant.ofEpochMilli(n[3])));
        }
      }
    }
    return out;
  }

  @Override
  public List<AttestationRow> history(String provider, int offset, int limit) {
    return tx("read a provider's attestations", c -> Sql.rows(c, "SELECT * FROM attestations"
        + " WHERE provider = ? ORDER BY COALESCE(started_ms, requested_ms) DESC, id"
        + " LIMIT ? OFFSET ?", provider, limit, offset));
  }

  @Override
  public Optional<AttestationRow> attestation(String id) {
    return tx("read an attestation", c -> Sql.rows(c, "SELECT * FROM attestations WHERE id = ?",
        id).stream().findFirst());
  }

  @Override
  public boolean index(AttestationRow a) {
    return tx("index an archived exchange", c -> {
      List<AttestationRow> existing = Sql.rows(c, "SELECT * FROM attestations WHERE"
          + " challenge_id = ?", a.challengeId());
      if (existing.isEmpty()) {
        Sql.update(c, "INSERT INTO attestations (id, provider, state, instance, started_ms,"
            + " finished_ms, challenge_id, model, gpus, summary, failed_checks, prover_failure,"
            + " backend, tflops_per_gpu, elapsed_seconds, archive_path, memory_tbps) VALUES"
            + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", a.id(), a.provider(),
            a.state().name(), a.instance(), Sql.millis(a.startedAt()),
            Sql.millis(a.finishedAt()), a.challengeId(), a.model(), a.gpus(), a.summary(),
            a.failedChecks(), a.proverFailure(), a.backend(), a.tflopsPerGpu(),
            a.elapsedSeconds(), a.archivePath(), a.memoryTBps());
        return true;
      }
      AttestationRow e = existing.get(0);
      if (e.state() == a.state() && a.archivePath().equals(e.archivePath())) {
        return false;
      }
      Sql.update(c, "UPDATE attestations SET state = ?, finished_ms = COALESCE(finished_ms, ?),"
          + " summary = ?, failed_checks = ?, prover_failure = ?, backend = ?,"
          + " tflops_per_gpu = ?, archive_path = ?, memory_tbps = ? WHERE id = ?",
          a.state().name(), Sql.millis(a.finishedAt()), a.summary(), a.failedChecks(),
          a.proverFailure(), a.backend(), a.tflopsPerGpu(), a.archivePath(), a.memoryTBps(),
          e.id());
      return true;
    });
  }

  @Override
  public List<Rate> passingRates(Instant since) {
    return tx("read the rates", c -> {
      List<Rate> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT provider, model, backend,"
          + " tflops_per_gpu, finished_ms, memory_tbps FROM attestations WHERE state = 'PASSED'"
          + " AND tflops_per_gpu IS NOT NULL AND finished_ms >= ? ORDER BY finished_ms, id")) {
        s.setLong(1, since.toEpochMilli());
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(new Rate(r.getString(1), r.getString(2), r.getString(3), r.getDouble(4),
                Instant.ofEpochMilli(r.getLong(5)), Sql.number(r, "memory_tbps")));
          }
        }
      }
      return out;
    });
  }

  @Override
  public long count(State state) {
    return tx("count attestations", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM attestations"
          + " WHERE state = ?")) {
        s.setString(1, state.name());
        try (ResultSet r = s.executeQuery()) {
          r.next();
          return r.getLong(1);
        }
      }
    });
  }

  @Override
  public void checkWritable() {
    // Writes that change nothing still need a writable database: SQLite rewrites its file's
    // header for user_version; PostgreSQL refuses an UPDATE in a read-only transaction.
    tx("write", c -> {
      try (PreparedStatement s = c.prepareStatement(dialect == Dialect.SQLITE
          ? "PRAGMA user_version = 1" : "UPDATE providers SET active = active WHERE 1 = 0")) {
        s.execute();
      }
      return null;
    });
  }

  @Override
  public void close() {
    // Nothing held: every method opens and closes its own connection.
  }

  /** The URL without its query, where a password may be. */
  static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }
}
