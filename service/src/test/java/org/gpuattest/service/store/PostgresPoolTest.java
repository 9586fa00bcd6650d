package org.gpuattest.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's connection pool ({@link Stores}): connections kept between transactions and no
 * more than {@link Stores#POOL_SIZE}, all closed with the store (the service's stop); and a
 * database that goes away shows at the next transaction (health), the pool's connections made
 * again once it is back. Counted from the server's own list of connections, pg_stat_activity,
 * each store named by its ApplicationName. Skipped, saying why, where no server is named.
 */
class PostgresPoolTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @BeforeAll
  static void server() {
    assumeTrue(TestDatabases.postgresServer() != null, TestDatabases.noPostgres());
  }

  @Test
  void open_manyTransactions_connectionsKeptBoundedAndClosedWithTheStore() throws Exception {
    String app = "gpuattest-" + UUID.randomUUID().toString().substring(0, 8);
    Store store = Stores.open(TestDatabases.freshPostgresSchema() + "&ApplicationName=" + app,
        null);
    try {
      store.syncFleet(List.of(StoreContract.spec("p0"), StoreContract.spec("p1")), T0,
          (p, now) -> now);
      for (int i = 0; i < 30; i++) {
        Store.Claim c = store.claimDue("h", T0, Duration.ofSeconds(60), List.of())
            .orElseThrow();
        store.finish(c.attestationId(), StoreContract.passed(T0, null), T0, 0);
      }
      long kept = connections(app);
      assertTrue(kept >= 1 && kept <= Stores.POOL_SIZE, kept + " connections open between"
          + " transactions; expected 1 to " + Stores.POOL_SIZE);
    } finally {
      store.close();
    }
    // The server ends a backend when its client closes it: wait for that, at most 10 s.
    long until = System.nanoTime() + 10_000_000_000L;
    while (connections(app) > 0 && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertEquals(0, connections(app), "connections left open after the store closed");
  }

  @Test
  void checkWritable_databaseGoneThenBack_failsNamingItThenPasses() throws Exception {
    Matcher m = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)(/.*)")
        .matcher(TestDatabases.freshPostgresSchema());
    assertTrue(m.matches(), "a jdbc:postgresql://HOST:PORT/... URL");
    try (Forwarder network = new Forwarder(m.group(1), Integer.parseInt(m.group(2)))) {
      String url = "jdbc:postgresql://127.0.0.1:" + network.port() + m.group(3);
      try (Store store = Stores.open(url, null)) {
        store.syncFleet(List.of(StoreContract.spec("p")), T0, (p, now) -> now);
        store.checkWritable();
        network.cut();
        StoreException gone = assertThrows(StoreException.class, store::checkWritable);
        assertTrue(gone.getMessage().startsWith("database " + Transactions.redact(url)
            + ": cannot write: "), gone.getMessage());
        assertFalse(gone.getMessage().contains("Connection is closed"), "why, not the rollback's"
            + " failure after it: " + gone.getMessage());
        assertEquals(1, store.providers().size(), "the list is still answered from memory");
        network.restore();
        // Each pooled connection the cut broke fails once, as it is found broken and dropped.
        int failed = 0;
        while (true) {
          try {
            store.checkWritable();
            break;
          } catch (StoreException e) {
            assertTrue(++failed <= Stores.POOL_SIZE, "still failing once back: " + e.getMessage());
          }
        }
        store.requestNow("p", T0);
        assertEquals(1, store.count(Store.State.QUEUED));
      }
    }
  }

  /** The server's connections of the store named {@code app}. */
  private static long connections(String app) throws Exception {
    try (Connection c = DriverManager.getConnection(TestDatabases.postgresServer());
        PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity"
            + " WHERE application_name = ?")) {
      s.setString(1, app);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }
}
