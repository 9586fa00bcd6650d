package org.gpuattest.service.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The store's write path ({@link JdbcStore}): the fleet's sync, the claim and its lease, a
 * result, a queued attestation and a reindexed exchange, each one transaction. Each write that
 * changes a provider's row re-reads that row in its transaction and applies it to the
 * instance's {@link FleetState} once committed, so the list shows the write when it returns.
 *
 * <p>The claim is the one statement the databases differ on: PostgreSQL locks the provider's
 * row with {@code FOR UPDATE SKIP LOCKED} (two hosts claiming at once each skip the row the
 * other holds); SQLite, one file on one host, takes the database's write lock at the
 * transaction's start ({@code transaction_mode=IMMEDIATE}, {@link Stores#open}).
 */
final class JdbcWrites {
  private final Transactions db;
  private final FleetState view;

  JdbcWrites(Transactions db, FleetState view) {
    this.db = db;
    this.view = view;
  }

  /** Reads {@code name}'s row in a write's transaction, to apply after its commit. */
  private static FleetState.Row reread(Connection c, String name) throws SQLException {
    return ProviderRows.one(c, name).orElseThrow(() -> new SQLException("no provider " + name));
  }

  /** The fleet's rows written; the caller refreshes the view from them (Store#syncFleet). */
  void syncFleet(List<Store.ProviderSpec> fleet, Instant now, Store.FirstDue firstDue) {
    db.tx("update the providers", c -> {
      Map<String, Boolean> known = new HashMap<>();
      try (PreparedStatement s = c.prepareStatement("SELECT name FROM providers");
          ResultSet r = s.executeQuery()) {
        while (r.next()) {
          known.put(r.getString(1), false);
        }
      }
      for (Store.ProviderSpec p : fleet) {
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
  }

  Optional<Store.Claim> claimDue(String instance, Instant now, Duration lease,
      List<String> skip) {
    Optional<Changed<Store.Claim>> claimed = db.tx("claim a provider", c -> {
      StringBuilder sql = new StringBuilder("SELECT name, model, gpus, failures_in_a_row"
          + " FROM providers"
          + " WHERE active = 1 AND next_due_ms <= ? AND (lease_until_ms IS NULL"
          + " OR lease_until_ms < ?)");
      skip.forEach(s -> sql.append(" AND name <> ?"));
      sql.append(" ORDER BY next_due_ms, name LIMIT 1");
      if (db.dialect == JdbcStore.Dialect.POSTGRESQL) {
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
            return Optional.<Changed<Store.Claim>>empty();
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
      return Optional.of(new Changed<>(new Store.Claim(name, id, failures), reread(c, name)));
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

  boolean renew(String provider, String instance, Instant until) {
    FleetState.Row row = db.tx("renew a lease", c -> Sql.update(c, "UPDATE providers SET"
        + " lease_until_ms = ?, version = version + 1 WHERE name = ? AND lease_owner = ?",
        until.toEpochMilli(), provider, instance) == 1 ? reread(c, provider) : null);
    if (row != null) {
      view.apply(row, null);
    }
    return row != null;
  }

  void challengeIssued(String attestationId, String challengeId, Instant at) {
    db.tx("note a challenge", c -> Sql.update(c, "UPDATE attestations SET challenge_id = ?"
        + " WHERE id = ?", challengeId, attestationId));
  }

  void finish(String attestationId, Result r, Instant nextDue, int failuresInARow) {
    Changed<String> changed = db.tx("record an attestation", c -> {
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
      Store.Rate rate = r.state() == Store.State.PASSED && r.tflopsPerGpu() != null
          ? new Store.Rate(provider, model, r.backend(), r.tflopsPerGpu(), r.finishedAt(),
              r.memoryTBps())
          : null;
      return new Changed<>(provider, reread(c, provider), rate);
    });
    view.applyResult(changed.row(), attestationId, changed.rate());
  }

  Optional<String> requestNow(String provider, Instant now) {
    Changed<Optional<String>> changed = db.tx("queue an attestation", c -> {
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

  boolean index(AttestationRow a) {
    Changed<String> changed = db.tx("index an archived exchange", c -> {
      List<AttestationRow> existing = Sql.rows(c, "SELECT * FROM attestations WHERE"
          + " challenge_id = ?", a.challengeId());
      Store.Rate rate = a.state() == Store.State.PASSED && a.tflopsPerGpu() != null
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
}
