package org.gpuattest.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * {@link Store} over JDBC, for SQLite and PostgreSQL alike, wired in one place: the writes
 * ({@link JdbcWrites}, one transaction each), the reads, and this instance's view of the list.
 * Each method runs on a connection of its own, given back at its end ({@link Transactions}); a
 * method that only reads runs in autocommit, so it never takes SQLite's write lock.
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

  private final Transactions db;
  private final JdbcWrites writes;
  private final java.time.Clock clock;
  private final FleetState view;
  private final ScheduledExecutorService refresher;

  /** Reads the provider list, then refreshes it every {@code refresh} (null: never, tests). */
  JdbcStore(Dialect dialect, DataSource connections, String url, java.time.Clock clock,
      Duration refresh) {
    this.db = new Transactions(dialect, connections, url);
    this.clock = clock;
    this.view = new FleetState(clock.instant().minus(RATE_WINDOW));
    this.writes = new JdbcWrites(db, view);
    db.read("read the providers", c -> {
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
    db.read("refresh the providers", c -> {
      for (FleetState.Row row : ProviderRows.all(c)) {
        view.apply(row, view.needsRates(row)
            ? ProviderRows.rates(c, row.status().name(), view.horizon()) : null);
      }
      return null;
    });
  }

  @Override
  public void syncFleet(List<ProviderSpec> fleet, Instant now, FirstDue firstDue) {
    writes.syncFleet(fleet, now, firstDue);
    refresh();
  }

  @Override
  public Optional<Claim> claimDue(String instance, Instant now, Duration lease,
      List<String> skip) {
    return writes.claimDue(instance, now, lease, skip);
  }

  @Override
  public boolean renew(String provider, String instance, Instant until) {
    return writes.renew(provider, instance, until);
  }

  @Override
  public void challengeIssued(String attestationId, String challengeId, Instant at) {
    writes.challengeIssued(attestationId, challengeId, at);
  }

  @Override
  public void finish(String attestationId, Result r, Instant nextDue, int failuresInARow) {
    writes.finish(attestationId, r, nextDue, failuresInARow);
  }

  @Override
  public Optional<String> requestNow(String provider, Instant now) {
    return writes.requestNow(provider, now);
  }

  @Override
  public boolean index(AttestationRow fromArchive) {
    return writes.index(fromArchive);
  }

  @Override
  public long countDue(Instant now) {
    return db.read("count the providers due", c -> {
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
  public List<AttestationRow> orphaned(String instance, Instant now) {
    return db.read("find interrupted attestations", c -> Sql.rows(c, "SELECT a.*"
        + " FROM attestations a JOIN providers p ON p.name = a.provider"
        + " WHERE a.state = 'RUNNING' AND (a.instance = ? OR p.lease_owner IS NULL"
        + " OR p.lease_owner <> a.instance OR p.lease_until_ms < ?) ORDER BY a.started_ms",
        instance, now.toEpochMilli()));
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
    return db.read("read a provider's attestations", c -> Sql.rows(c, "SELECT * FROM attestations"
        + " WHERE provider = ? ORDER BY COALESCE(started_ms, requested_ms) DESC, id"
        + " LIMIT ? OFFSET ?", provider, limit, offset));
  }

  @Override
  public Optional<AttestationRow> attestation(String id) {
    return db.read("read an attestation", c -> Sql.rows(c, "SELECT * FROM attestations"
        + " WHERE id = ?", id).stream().findFirst());
  }

  @Override
  public List<Rate> passingRates(Instant since) {
    Optional<List<Rate>> held = view.rates(since);
    if (held.isPresent()) {
      return held.get();
    }
    return db.read("read the rates", c -> {
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
  public RateMedians medians(Instant since) {
    return view.medians(since).orElseGet(() -> RateMedians.over(passingRates(since)));
  }

  /** The view, for tests that count its work. */
  FleetState view() {
    return view;
  }

  @Override
  public long count(State state) {
    return db.read("count attestations", c -> {
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
    db.tx("write", c -> {
      try (PreparedStatement s = c.prepareStatement(db.dialect == Dialect.SQLITE
          ? "PRAGMA user_version = 1" : "UPDATE providers SET active = active WHERE 1 = 0")) {
        s.execute();
      }
      return null;
    });
  }

  /** Stops the refresh, then closes the connections' pool (PostgreSQL's; SQLite has none). */
  @Override
  public void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      try {
        refresher.awaitTermination(Stores.CONNECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    db.close();
  }
}
