package org.gpuattest.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reading the provider list costs the database, counted in statements (not timed), on an
 * SQLite file (docs/benchmarks.md, "Service"): nothing per read, whatever the fleet and its
 * history; a constant number per write; one query per refresh plus one per provider whose
 * results changed elsewhere. And the medians the list flags by: the rates and medians each
 * request touches, counted. And the totals kept on the rows against an oracle that counts every
 * attestation, as the list was read before migration V2.
 */
class ProviderListQueriesTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final AtomicInteger statements = new AtomicInteger();
  private JdbcStore store;
  private String url;

  @BeforeEach
  void open() {
    url = TestDatabases.sqlite(dir);
    Stores.open(url, null).close(); // migrated
    store = open(statements);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private JdbcStore open(AtomicInteger counter) {
    Properties props = new Properties();
    props.setProperty("busy_timeout", "10000");
    props.setProperty("transaction_mode", "IMMEDIATE");
    return new JdbcStore(JdbcStore.Dialect.SQLITE, counting(new Connections(url, props), counter),
        url, Clock.fixed(NOW, ZoneOffset.UTC), null);
  }

  /** Connections whose every statement prepared or created is counted. */
  static DataSource counting(DataSource d, AtomicInteger counter) {
    InvocationHandler h = (proxy, m, args) -> {
      if (m.getName().equals("getConnection")) {
        Connection c = (Connection) invoke(m, d, args);
        return Proxy.newProxyInstance(Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class}, (p2, m2, a2) -> {
              if (m2.getName().equals("prepareStatement")
                  || m2.getName().equals("createStatement")) {
                counter.incrementAndGet();
              }
              return invoke(m2, c, a2);
            });
      }
      return invoke(m, d, args);
    };
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, h);
  }

  private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private List<Store.ProviderSpec> fleet(int n) {
    List<Store.ProviderSpec> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Store.ProviderSpec("p" + i, "NVIDIA H100 80GB HBM3", 8, Duration.ofHours(1)));
    }
    return out;
  }

  /** Claims and finishes one attestation of {@code provider}, ending at {@code at}. */
  private String attest(Store s, String provider, Instant at, Store.State state, Double tflops,
      String proverFailure) {
    s.requestNow(provider, at);
    Store.Claim c = s.claimDue("h", at, LEASE, List.of()).orElseThrow();
    assertEquals(provider, c.provider());
    s.finish(c.attestationId(), new Result(state, at.plusSeconds(1), null, "verdict",
        proverFailure, proverFailure, tflops == null ? null : "cuda", tflops, 10.0, null),
        at.plus(Duration.ofDays(300)), state == Store.State.PASSED ? 0 : 1);
    return c.attestationId();
  }

  @Test
  void providers_manyProvidersAndLongHistory_noQueryPerRead() {
    store.syncFleet(fleet(200), NOW, (p, now) -> now.plus(Duration.ofDays(300)));
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 200; i += 7) {
        attest(store, "p" + i, NOW.minus(Duration.ofDays(5 - round)), Store.State.PASSED,
            40.0 + round, null);
      }
    }
    statements.set(0);
    for (int i = 0; i < 20; i++) {
      assertEquals(200, store.providers().size());
      assertEquals(5, store.provider("p7").orElseThrow().passed());
      assertEquals(29 * 5, store.passingRates(NOW.minus(Store.RATE_WINDOW)).size());
    }
    assertEquals(0, statements.get(), "reading the list, a provider or the recent rates");
  }

  @Test
  void finish_longerHistory_sameStatements() {
    store.syncFleet(fleet(3), NOW, (p, now) -> now.plus(Duration.ofDays(300)));
    statements.set(0);
    attest(store, "p0", NOW.minus(Duration.ofDays(40)), Store.State.PASSED, 50.0, null);
    int first = statements.getAndSet(0);
    for (int i = 0; i < 30; i++) {
      attest(store, "p0", NOW.minus(Duration.ofDays(39 - i)), Store.State.FAILED, null, null);
    }
    statements.set(0);
    attest(store, "p0", NOW, Store.State.PASSED, 50.0, null);
    assertEquals(first, statements.get(), "an attestation's writes with 1 and with 31 before");
  }

  @Test
  void refresh_anotherInstanceWrote_onlyThatProviderReadAgainAndShown() {
    store.syncFleet(fleet(50), NOW, (p, now) -> now.plus(Duration.ofDays(300)));
    AtomicInteger theirs = new AtomicInteger();
    try (JdbcStore other = open(theirs)) {
      attest(other, "p3", NOW.minusSeconds(60), Store.State.PASSED, 47.0, null);
      assertEquals(0, store.provider("p3").orElseThrow().passed(), "not refreshed yet");
      statements.set(0);
      store.refresh();
      assertEquals(2, statements.get(), "every row in one query, then p3's rates");
      assertEquals(1, store.provider("p3").orElseThrow().passed());
      assertEquals(List.of(47.0), store.passingRates(NOW.minus(Store.RATE_WINDOW)).stream()
          .map(Store.Rate::tflopsPerGpu).toList());
      statements.set(0);
      store.refresh();
      assertEquals(1, statements.get(), "nothing new: the rows only");
    }
  }

  /**
   * The medians the list flags by, kept as results come: asking again touches no rate and takes
   * no median; a result touches its rate and takes its provider's and its model's medians again;
   * a window moved on touches only the rates it passed. Each answer against the medians of every
   * rate in the database, sorted whole.
   */
  @Test
  void medians_longHistory_eachRequestTouchesOnlyWhatChanged() throws Exception {
    List<Store.ProviderSpec> fleet = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      fleet.add(new Store.ProviderSpec("p" + i, i % 2 == 0 ? "NVIDIA H100 80GB HBM3"
          : "NVIDIA A100-SXM4-80GB", 8, Duration.ofHours(1)));
    }
    store.syncFleet(fleet, NOW, (p, now) -> now.plus(Duration.ofDays(300)));
    for (int day = 28; day >= 1; day -= 3) {
      for (int i = 0; i < 60; i += 3) {
        attest(store, "p" + i, NOW.minus(Duration.ofDays(day)), Store.State.PASSED,
            (i % 9 == 0 ? 40.0 : 50.0) + (day * 7 + i) % 5, null);
      }
    }
    FleetState view = store.view();
    Instant since = NOW.minus(Store.RATE_WINDOW);
    assertMediansAsSorted(store.medians(since), since, fleet);
    long[] before = view.medianWork();
    for (int i = 0; i < 20; i++) {
      store.medians(since.plusMillis(i)); // no rate finished in those 20 ms
    }
    assertEquals(List.of(before[0], before[1]), List.of(view.medianWork()[0],
        view.medianWork()[1]), "rates touched, medians taken: none for 20 requests");

    attest(store, "p6", NOW.minusSeconds(10), Store.State.PASSED, 30.0, null);
    assertMediansAsSorted(store.medians(since), since, fleet);
    assertEquals(List.of(before[0] + 1, before[1] + 2), List.of(view.medianWork()[0],
        view.medianWork()[1]), "one rate; p6's median and its model's");

    Instant later = NOW.minus(Duration.ofDays(20));
    long passed = ratesInDatabase(since).stream()
        .filter(r -> r.finishedAt().isBefore(later)).count();
    before = view.medianWork();
    assertMediansAsSorted(store.medians(later), later, fleet);
    assertEquals(before[0] + passed, view.medianWork()[0], "the rates aged out, only");
    before = view.medianWork();
    assertMediansAsSorted(store.medians(since), since, fleet);
    assertEquals(before[0] + passed, view.medianWork()[0], "and back: those rates again, only");
    view.forget(later); // as a refresh does, once those rates are out of the window
    assertMediansAsSorted(store.medians(later), later, fleet);
    assertMediansAsSorted(store.medians(since), since, fleet); // no longer held: the database's
  }

  private void assertMediansAsSorted(RateMedians got, Instant since,
      List<Store.ProviderSpec> fleet) throws SQLException {
    RateMedians sorted = RateMedians.over(ratesInDatabase(since));
    for (Store.ProviderSpec p : fleet) {
      assertEquals(sorted.of(p.name(), p.model()), got.of(p.name(), p.model()), p.name());
    }
  }

  /** Every passing rate finished at or after {@code since}, as the database has them. */
  private List<Store.Rate> ratesInDatabase(Instant since) throws SQLException {
    List<Store.Rate> out = new ArrayList<>();
    try (Connection c = java.sql.DriverManager.getConnection(url);
        PreparedStatement s = c.prepareStatement("SELECT provider, model, backend,"
            + " tflops_per_gpu, finished_ms FROM attestations WHERE state = 'PASSED'"
            + " AND tflops_per_gpu IS NOT NULL AND finished_ms >= ?")) {
      s.setLong(1, since.toEpochMilli());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new Store.Rate(r.getString(1), r.getString(2), r.getString(3),
              r.getDouble(4), Instant.ofEpochMilli(r.getLong(5))));
        }
      }
    }
    return out;
  }

  /** The totals kept on the rows, against every attestation counted (the list before V2). */
  @Test
  void providers_mixOfResultsAndReindex_totalsAsCountedOverEveryAttestation() throws Exception {
    store.syncFleet(fleet(4), NOW, (p, now) -> now.plus(Duration.ofDays(300)));
    attest(store, "p0", NOW.minusSeconds(900), Store.State.PASSED, 50.0, null);
    attest(store, "p0", NOW.minusSeconds(800), Store.State.FAILED, null, "prover.exit");
    attest(store, "p1", NOW.minusSeconds(700), Store.State.FAILED, null, null);
    attest(store, "p1", NOW.minusSeconds(600), Store.State.PASSED, 52.0, null);
    store.requestNow("p2", NOW.minusSeconds(500));
    Store.Claim c = store.claimDue("h", NOW.minusSeconds(500), LEASE, List.of()).orElseThrow();
    store.challengeIssued(c.attestationId(), "e".repeat(32), NOW.minusSeconds(500));
    // killed; reindexed from the archive as a pass, then as a failure
    store.index(new AttestationRow("e".repeat(32), "p2", Store.State.PASSED, null, null,
        NOW.minusSeconds(500), NOW.minusSeconds(400), "e".repeat(32), "NVIDIA H100 80GB HBM3", 8,
        "verdict: PASS", null, null, "cuda", 49.0, 10.0, "/archive/e"));
    store.index(new AttestationRow("e".repeat(32), "p2", Store.State.FAILED, null, null,
        NOW.minusSeconds(500), NOW.minusSeconds(400), "e".repeat(32), "NVIDIA H100 80GB HBM3", 8,
        "verdict: FAIL", "prover.exit", "prover.exit", null, null, null, "/archive/e2"));
    store.index(new AttestationRow("f".repeat(32), "p3", Store.State.PASSED, null, null,
        NOW.minusSeconds(300), NOW.minusSeconds(200), "f".repeat(32), "NVIDIA H100 80GB HBM3", 8,
        "verdict: PASS", null, null, "cuda", 51.0, 10.0, "/archive/f"));
    try (JdbcStore fresh = open(new AtomicInteger())) {
      for (Store s : List.of(store, fresh)) {
        for (ProviderStatus p : s.providers()) {
          assertEquals(oracle(p.name()), List.of(p.passed(), p.failed(), p.proverFailures(),
              p.lastPassAt() == null ? -1L : p.lastPassAt().toEpochMilli(),
              p.last() == null ? "" : p.last().id()), p.name());
        }
        assertEquals(List.of(50.0, 52.0, 51.0), s.passingRates(NOW.minus(Store.RATE_WINDOW))
            .stream().map(Store.Rate::tflopsPerGpu).toList(), "p2's pass was reindexed failed");
        assertMediansAsSorted(s.medians(NOW.minus(Store.RATE_WINDOW)),
            NOW.minus(Store.RATE_WINDOW), fleet(4));
      }
    }
    assertTrue(store.provider("p2").orElseThrow().last().state() == Store.State.FAILED);
  }

  /** passed, failed, prover failures, last pass (ms, -1: none), latest finished id, counted. */
  private List<Object> oracle(String provider) throws SQLException {
    try (Connection c = java.sql.DriverManager.getConnection(url);
        PreparedStatement s = c.prepareStatement("SELECT"
            + " (SELECT COUNT(*) FROM attestations WHERE provider = ?1 AND state = 'PASSED'),"
            + " (SELECT COUNT(*) FROM attestations WHERE provider = ?1 AND state = 'FAILED'),"
            + " (SELECT COUNT(*) FROM attestations WHERE provider = ?1"
            + "   AND prover_failure IS NOT NULL),"
            + " COALESCE((SELECT MAX(finished_ms) FROM attestations WHERE provider = ?1"
            + "   AND state = 'PASSED'), -1),"
            + " COALESCE((SELECT id FROM attestations WHERE provider = ?1 AND finished_ms ="
            + "   (SELECT MAX(finished_ms) FROM attestations WHERE provider = ?1)"
            + "   ORDER BY id LIMIT 1), '')")) {
      s.setString(1, provider);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return List.of(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getString(5));
      }
    }
  }
}
