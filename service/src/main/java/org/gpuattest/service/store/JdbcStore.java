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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * {@link Store} over JDBC, for SQLite and PostgreSQL alike: the same SQL but for the claim,
 * where PostgreSQL locks the provider's row with {@code FOR UPDATE SKIP LOCKED} (two hosts
 * claiming at once each skip the row the other holds) and SQLite, one file on one host, takes
 * the database's write lock at the transaction's start. Each method is one transaction on a
 * connection of its own, closed at its end: no connection is shared between threads; a method
 * that only reads runs in autocommit, so it never takes SQLite's write lock.
 *
 * <p>The provider list and the recent passing rates are answered from {@link FleetState}, kept
 * by every write of this instance (in its transaction) and by a refresh every {@link #REFRESH}
 * for what other instances sharing the database wrote: reading the list costs no query.
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

  /** How soon rows written by other instances reach this instance's view of the list. */
  static final Duration REFRESH = Duration.ofSeconds(2);

  private final Dialect dialect;
  private final DataSource connections;
  private final String url;
  private final java.time.Clock clock;
  private final FleetState view;
  private final ScheduledExecutorService refresher;

  /** Reads the provider list, then refreshes it every {@code refresh} (null: never, tests). */
  JdbcStore(Dialect dialect, DataSource connections, String url, java.time.Clock clock,
      Duration refresh) {
    this.dialect = dialect;
    this.connections = connections;
    this.url = url;
    this.clock = clock;
    this.view = new FleetState(clock.instant().minus(RATE_WINDOW));
    read("read the providers", c -> {
      // The rows first: the rates read after them are at least those of their results.
      List<FleetState.Row> rows = ProviderRows.all(c);
      Map<String, List<FleetState.Rated>> rates = ProviderRows.rates(c, view.horizon());
      for (FleetState.Row row : rows) {
        view.apply(row, rates.getOrDefault(row.status().name(), List.of()));
      }
      return null;
    });
    if (refresh == null) {
      refresher = null;
      return;
    }
    refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "store-refresh");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleWithFixedDelay(() -> {
      try {
        refresh();
      } catch (RuntimeException e) {
        // The database is down: health says so; the view is kept and the next refresh retries.
      }
    }, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Applies what other instances wrote since the last refresh: one query for every provider's
   * row, and one for the rates of each provider with a result not yet held.
   */
  void refresh() {
    view.forget(clock.instant().minus(RATE_WINDOW));
    read("refresh the providers", c -> {
      for (FleetState.Row row : ProviderRows.all(c)) {
        view.apply(row, view.needsRates(row)
            ? ProviderRows.rates(c, row.status().name(), view.horizon()) : null);
      }
      return null;
    });
  }

  /** Reads {@code name}'s row in a write's transaction, to apply after its commit. */
  private FleetState.Row reread(Connection c, String name) throws SQLException {
    return ProviderRows.one(c, name).orElseThrow(() -> new SQLException("no provider " + name));
  }

  /** A read: autocommit, so no write lock; each statement sees what is committed. */
  private <T> T read(String what, Body<T> body) {
    try (Connection c = connections.getConnection()) {
      return body.run(c);
    } catch (SQLException e) {
      throw new StoreException("database " + redact(url) + ": cannot " + what + ": "
          + Stores.oneLine(e.getMessage()), e);
    }
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
      throw new StoreException("database " + redact(url) + ": cannot " + what
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
          Sql.update(c, "UPDATE providers SET model = ?, gpus = ?, interval_ms = ?, active = 1,"
              + " version = version + 1 WHERE name = ?", p.model(), p.gpus(),
              p.interval().toMillis(), p.name());
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
          Sql.update(c, "UPDATE providers SET active = 0, version = version + 1"
              + " WHERE name = ?", e.getKey());
        }
      }
      return null;
    });
    refresh();
  }

  @Override
  public Optional<Claim> claimDue(String instance, Instant now, Duration lease,
      List<String> skip) {
    Optional<Changed<Claim>> claimed = tx("claim a provider", c -> {
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
            return Optional.<Changed<Claim>>empty();
          }
          name = r.getString(1);
          model = r.getString(2);
          gpus = r.getInt(3);
          failures = r.getInt(4);
        }
      }
      Sql.update(c, "UPDATE providers SET lease_owner = ?, lease_until_ms = ?,"
          + " version = version + 1 WHERE name = ?", instance, now.plus(lease).toEpochMilli(),
          name);
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
      return Optional.of(new Changed<>(new Claim(name, id, failures), reread(c, name)));
    });
    return claimed.map(this::applied);
  }

  /**
   * A write's answer, the provider's row it changed (read in its transaction), and for a
   * result, the passing rate of the attestation it changed (null: none).
   */
  private record Changed<T>(T answer, FleetState.Row row, Store.Rate rate) {
    Changed(T answer, FleetState.Row row) {
      this(answer, row, null);
    }
  }

  private <T> T applied(Changed<T> changed) {
    view.apply(changed.row(), null);
    return changed.answer();
  }

  @Override
  public long countDue(Instant now) {
    return read("count the providers due", c -> {
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
    FleetState.Row row = tx("renew a lease", c -> Sql.update(c, "UPDATE providers SET"
        + " lease_until_ms = ?, version = version + 1 WHERE name = ? AND lease_owner = ?",
        until.toEpochMilli(), provider, instance) == 1 ? reread(c, provider) : null);
    if (row != null) {
      view.apply(row, null);
    }
    return row != null;
  }

  @Override
  public void challengeIssued(String attestationId, String challengeId, Instant at) {
    tx("note a challenge", c -> Sql.update(c, "UPDATE attestations SET challenge_id = ?"
        + " WHERE id = ?", challengeId, attestationId));
  }

  @Override
  public void finish(String attestationId, Result r, Instant nextDue, int failuresInARow) {
    Changed<String> changed = tx("record an attestation", c -> {
      String provider = null;
      String instance = null;
      String model = null;
      String state = null;
      String proverFailure = null;
      try (PreparedStatement s = c.prepareStatement("SELECT provider, instance, model, state,"
          + " prover_failure FROM attestations WHERE id = ?")) {
        s.setString(1, attestationId);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            provider = rs.getString(1);
            instance = rs.getString(2);
            model = rs.getString(3);
            state = rs.getString(4);
            proverFailure = rs.getString(5);
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
      ProviderRows.total(c, provider, state, proverFailure, r.state().name(), r.proverFailure());
      Store.Rate rate = r.state() == State.PASSED && r.tflopsPerGpu() != null
          ? new Store.Rate(provider, model, r.backend(), r.tflopsPerGpu(), r.finishedAt(),
              r.memoryTBps())
          : null;
      return new Changed<>(provider, reread(c, provider), rate);
    });
    view.applyResult(changed.row(), attestationId, changed.rate());
  }

  @Override
  public Optional<String> requestNow(String provider, Instant now) {
    Changed<Optional<String>> changed = tx("queue an attestation", c -> {
      String model;
      int gpus;
      try (PreparedStatement s = c.prepareStatement("SELECT model, gpus FROM providers"
          + " WHERE name = ? AND active = 1")) {
        s.setString(1, provider);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            return new Changed<>(Optional.empty(), null);
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
            return new Changed<>(Optional.of(r.getString(1)), null);
          }
        }
      }
      String id = UUID.randomUUID().toString();
      Sql.update(c, "INSERT INTO attestations (id, provider, state, requested_ms, model, gpus)"
          + " VALUES (?, ?, 'QUEUED', ?, ?, ?)", id, provider, now.toEpochMilli(), model, gpus);
      boolean sooner = Sql.update(c, "UPDATE providers SET next_due_ms = ?,"
          + " version = version + 1 WHERE name = ? AND next_due_ms > ?", now.toEpochMilli(),
          provider, now.toEpochMilli()) == 1;
      return new Changed<>(Optional.of(id), sooner ? reread(c, provider) : null);
    });
    if (changed.row() != null) {
      view.apply(changed.row(), null);
    }
    return changed.answer();
  }

  @Override
  public List<AttestationRow> orphaned(String instance, Instant now) {
    return read("find interrupted attestations", c -> Sql.rows(c, "SELECT a.* FROM attestations a"
        + " JOIN providers p ON p.name = a.provider WHERE a.state = 'RUNNING' AND"
        + " (a.instance = ? OR p.lease_owner IS NULL OR p.lease_owner <> a.instance"
        + " OR p.lease_until_ms < ?) ORDER BY a.started_ms", instance, now.toEpochMilli()));
  }

  @Override
  public List<ProviderStatus> providers() {
    return view.providers();
  }

  @Override
  public Optional<ProviderStatus> provider(String name) {
    return view.provider(name);
  }

  @Override
  public List<AttestationRow> history(String provider, int offset, int limit) {
    return read("read a provider's attestations", c -> Sql.rows(c, "SELECT * FROM attestations"
        + " WHERE provider = ? ORDER BY COALESCE(started_ms, requested_ms) DESC, id"
        + " LIMIT ? OFFSET ?", provider, limit, offset));
  }

  @Override
  public Optional<AttestationRow> attestation(String id) {
    return read("read an attestation", c -> Sql.rows(c, "SELECT * FROM attestations WHERE id = ?",
        id).stream().findFirst());
  }

  @Override
  public boolean index(AttestationRow a) {
    Changed<String> changed = tx("index an archived exchange", c -> {
      List<AttestationRow> existing = Sql.rows(c, "SELECT * FROM attestations WHERE"
          + " challenge_id = ?", a.challengeId());
      Store.Rate rate = a.state() == State.PASSED && a.tflopsPerGpu() != null
          && a.finishedAt() != null ? new Store.Rate(a.provider(), a.model(), a.backend(),
              a.tflopsPerGpu(), a.finishedAt(), a.memoryTBps()) : null;
      if (existing.isEmpty()) {
        Sql.update(c, "INSERT INTO attestations (id, provider, state, instance, started_ms,"
            + " finished_ms, challenge_id, model, gpus, summary, failed_checks, prover_failure,"
            + " backend, tflops_per_gpu, elapsed_seconds, archive_path, memory_tbps) VALUES"
            + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", a.id(), a.provider(),
            a.state().name(), a.instance(), Sql.millis(a.startedAt()),
            Sql.millis(a.finishedAt()), a.challengeId(), a.model(), a.gpus(), a.summary(),
            a.failedChecks(), a.proverFailure(), a.backend(), a.tflopsPerGpu(),
            a.elapsedSeconds(), a.archivePath(), a.memoryTBps());
        ProviderRows.total(c, a.provider(), null, null, a.state().name(), a.proverFailure());
        return new Changed<>(a.id(), ProviderRows.one(c, a.provider()).orElse(null), rate);
      }
      AttestationRow e = existing.get(0);
      if (e.state() == a.state() && a.archivePath().equals(e.archivePath())) {
        return new Changed<>((String) null, null, null);
      }
      Sql.update(c, "UPDATE attestations SET state = ?, finished_ms = COALESCE(finished_ms, ?),"
          + " summary = ?, failed_checks = ?, prover_failure = ?, backend = ?,"
          + " tflops_per_gpu = ?, archive_path = ?, memory_tbps = ? WHERE id = ?",
          a.state().name(), Sql.millis(a.finishedAt()), a.summary(), a.failedChecks(),
          a.proverFailure(), a.backend(), a.tflopsPerGpu(), a.archivePath(), a.memoryTBps(),
          e.id());
      ProviderRows.total(c, e.provider(), e.state().name(), e.proverFailure(), a.state().name(),
          a.proverFailure());
      // The rate as the row now has it: its own finish time and model where it had them.
      Store.Rate kept = rate == null ? null : new Store.Rate(e.provider(),
          e.model() != null ? e.model() : a.model(), a.backend(), a.tflopsPerGpu(),
          e.finishedAt() != null ? e.finishedAt() : a.finishedAt(), a.memoryTBps());
      return new Changed<>(e.id(), ProviderRows.one(c, e.provider()).orElse(null), kept);
    });
    if (changed.answer() == null) {
      return false;
    }
    if (changed.row() != null) { // null: a provider no longer in the table
      view.applyResult(changed.row(), changed.answer(), changed.rate());
    }
    return true;
  }

  @Override
  public List<Rate> passingRates(Instant since) {
    Optional<List<Rate>> held = view.rates(since);
    if (held.isPresent()) {
      return held.get();
    }
    return read("read the rates", c -> {
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
    return read("count attestations", c -> {
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
    // No connection is held: every method opens and closes its own.
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }

  /** The URL without its query, where a password may be. */
  static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }
}
