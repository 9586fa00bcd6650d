package org.gpuattest.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} does, run on SQLite ({@link SqliteStoreTest}) and PostgreSQL
 * ({@link PostgresStoreTest}) alike.
 */
abstract class StoreContract {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(60);
  static final Duration HOUR = Duration.ofHours(1);

  Store store;

  /** A fresh, empty database's URL. */
  abstract String url() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = Stores.open(url(), null);
  }

  @AfterEach
  void close() {
    store.close();
  }

  static Store.ProviderSpec spec(String name) {
    return new Store.ProviderSpec(name, "NVIDIA H100 80GB HBM3", 8, HOUR);
  }

  static Result passed(Instant at, String challenge) {
    return new Result(Store.State.PASSED, at, challenge, "verdict: PASS", null, null, "cuda",
        50.0, 10.0, "/archive/" + challenge);
  }

  @Test
  void finish_memoryRate_keptInTheRowAndTheRates() {
    store.syncFleet(List.of(spec("a")), T0, (p, now) -> now);
    Store.Claim c = store.claimDue("host", T0, HOUR, List.of()).orElseThrow();
    store.finish(c.attestationId(), new Result(Store.State.PASSED, T0.plusSeconds(30),
        "e".repeat(32), "verdict: PASS", null, null, "cuda", 50.0, 10.0, "/archive/e", 2.75),
        T0.plus(HOUR), 0);
    assertEquals(2.75, store.attestation(c.attestationId()).orElseThrow().memoryTBps());
    assertEquals(List.of(2.75), store.passingRates(T0).stream().map(Store.Rate::memoryTBps)
        .toList());
  }

  @Test
  void syncFleet_newKeptAndRemoved_addsKeepsScheduleAndDeactivates() {
    store.syncFleet(List.of(spec("a"), spec("b")), T0, (p, now) -> now);
    store.syncFleet(List.of(spec("b"), spec("c")), T0.plusSeconds(10),
        (p, now) -> now.plusSeconds(5));
    List<ProviderStatus> all = store.providers();
    assertEquals(List.of("b", "c", "a"), all.stream().map(ProviderStatus::name).toList(),
        "active ones first, by name");
    assertEquals(T0, all.get(0).nextDue(), "b keeps its schedule");
    assertEquals(T0.plusSeconds(15), all.get(1).nextDue(), "c is new");
    assertFalse(all.get(2).active(), "a left the fleet");
  }

  @Test
  void claimDue_dueAndNotDue_claimsOnlyTheDueOneOnce() {
    store.syncFleet(List.of(spec("due"), spec("later")), T0,
        (p, now) -> p.equals("due") ? now : now.plus(HOUR));
    Optional<Store.Claim> first = store.claimDue("host-a", T0, LEASE, List.of());
    assertEquals("due", first.orElseThrow().provider());
    assertEquals(Optional.empty(), store.claimDue("host-b", T0, LEASE, List.of()),
        "the due provider is leased; the other is not due");
    assertEquals(Store.State.RUNNING,
        store.attestation(first.get().attestationId()).orElseThrow().state());
    assertEquals(Optional.of("host-a"), store.provider("due").orElseThrow().holder(T0));
  }

  @Test
  void claimDue_leaseLapsed_anotherInstanceClaimsAndTheOrphanIsFound() {
    store.syncFleet(List.of(spec("p")), T0, (p, now) -> now);
    Store.Claim a = store.claimDue("host-a", T0, LEASE, List.of()).orElseThrow();
    Instant later = T0.plus(LEASE).plusSeconds(1);
    assertEquals(List.of(a.attestationId()), store.orphaned("host-b", later).stream()
        .map(AttestationRow::id).toList(), "host-a's lease lapsed: its attestation is orphaned");
    Store.Claim b = store.claimDue("host-b", later, LEASE, List.of()).orElseThrow();
    assertEquals("p", b.provider());
    assertFalse(store.renew("p", "host-a", later.plus(LEASE)), "host-a no longer holds it");
    assertTrue(store.renew("p", "host-b", later.plus(LEASE)));
  }

  @Test
  void finish_pass_releasesTheLeaseSchedulesAndCounts() {
    store.syncFleet(List.of(spec("p")), T0, (p, now) -> now);
    Store.Claim c = store.claimDue("host-a", T0, LEASE, List.of()).orElseThrow();
    store.challengeIssued(c.attestationId(), "0".repeat(32), T0);
    store.finish(c.attestationId(), passed(T0.plusSeconds(20), null), T0.plus(HOUR), 0);
    ProviderStatus s = store.provider("p").orElseThrow();
    assertEquals(Optional.empty(), s.holder(T0));
    assertEquals(T0.plus(HOUR), s.nextDue());
    assertEquals(1, s.passed());
    assertEquals(T0.plusSeconds(20), s.lastPassAt());
    AttestationRow row = s.last();
    assertEquals("0".repeat(32), row.challengeId(), "the issued challenge is kept");
    assertEquals(50.0, row.tflopsPerGpu());
    assertEquals(List.of(), store.orphaned("host-a", T0.plus(HOUR)));
  }

  @Test
  void requestNow_twice_oneQueuedAttestationThatTheClaimRuns() {
    store.syncFleet(List.of(spec("p")), T0, (p, now) -> now.plus(HOUR));
    String id = store.requestNow("p", T0).orElseThrow();
    assertEquals(Optional.of(id), store.requestNow("p", T0), "one queued at a time");
    assertEquals(Optional.empty(), store.requestNow("nobody", T0));
    Store.Claim c = store.claimDue("host-a", T0, LEASE, List.of()).orElseThrow();
    assertEquals(id, c.attestationId(), "the queued attestation runs, due at once");
    assertEquals(0, store.count(Store.State.QUEUED));
    assertEquals(1, store.count(Store.State.RUNNING));
  }

  @Test
  void history_paged_newestFirst() {
    store.syncFleet(List.of(spec("p")), T0, (p, now) -> now);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Instant at = T0.plus(HOUR.multipliedBy(i));
      Store.Claim c = store.claimDue("h", at, LEASE, List.of()).orElseThrow();
      store.finish(c.attestationId(), passed(at.plusSeconds(1), String.format("%032d", i)),
          at.plus(HOUR), 0);
      ids.add(0, c.attestationId());
    }
    assertEquals(ids.subList(0, 2), store.history("p", 0, 2).stream()
        .map(AttestationRow::id).toList());
    assertEquals(ids.subList(2, 4), store.history("p", 2, 2).stream()
        .map(AttestationRow::id).toList());
    assertEquals(5, store.provider("p").orElseThrow().passed());
  }

  @Test
  void index_newAndKnownChallenge_addsOnceThenUpdates() {
    store.syncFleet(List.of(spec("p")), T0, (p, now) -> now);
    AttestationRow archived = new AttestationRow("c".repeat(32), "p", Store.State.PASSED, null,
        null, T0, T0, "c".repeat(32), "NVIDIA H100 80GB HBM3", 8, "verdict: PASS", null, null,
        "cuda", 51.0, 10.0, "/archive/x");
    assertTrue(store.index(archived));
    assertFalse(store.index(archived), "indexed already, unchanged");
    assertEquals(1, store.history("p", 0, 10).size());
    // A run killed after its archive was written: its row says RUNNING, the archive PASSED.
    Store.Claim c = store.claimDue("h", T0, LEASE, List.of()).orElseThrow();
    store.challengeIssued(c.attestationId(), "d".repeat(32), T0);
    assertTrue(store.index(new AttestationRow("d".repeat(32), "p", Store.State.FAILED, null,
        null, T0, T0, "d".repeat(32), "NVIDIA H100 80GB HBM3", 8, "verdict: FAIL",
        "prover.exit", "prover.exit", null, null, null, "/archive/d")));
    assertEquals(Store.State.FAILED, store.attestation(c.attestationId()).orElseThrow().state(),
        "the running row took the archive's outcome, no second row");
    assertEquals(2, store.history("p", 0, 10).size());
  }

  @Test
  void checkWritable_openDatabase_passes() {
    store.checkWritable();
  }

  /**
   * Two instances, each with its own connection to the database, claim and finish as fast as
   * they can: a provider is never held by both at once (counted, not timed).
   */
  @Test
  void claimDue_twoInstancesAtOnce_neverTheSameProviderTwice() throws Exception {
    List<Store.ProviderSpec> fleet = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      fleet.add(spec("p" + i));
    }
    store.syncFleet(fleet, T0, (p, now) -> now);
    Set<String> holding = ConcurrentHashMap.newKeySet();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger claims = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (String host : List.of("host-a", "host-b")) {
        Store mine = Stores.open(urlOfThisStore(), null);
        runs.add(pool.submit(() -> {
          for (int i = 0; i < 40; i++) {
            Optional<Store.Claim> c = mine.claimDue(host, T0, LEASE, List.of());
            if (c.isEmpty()) {
              continue;
            }
            claims.incrementAndGet();
            if (!holding.add(c.get().provider())) {
              overlaps.incrementAndGet();
            }
            holding.remove(c.get().provider());
            mine.finish(c.get().attestationId(), passed(T0, null), T0, 0);
          }
          mine.close();
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(claims.get() > 0, "nothing was claimed");
    assertEquals(0, overlaps.get(), "a provider was held by two instances at once");
    assertEquals(claims.get(), store.count(Store.State.PASSED));
  }

  /** The URL this test's store was opened on, for a second instance. */
  abstract String urlOfThisStore();
}
