package org.gpuattest.service.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.gpuattest.common.util.AtomicFiles;

/**
 * Opens the store: an SQLite file (the default, {@code $GPU_ATTEST_HOME/validator/service.db})
 * or a PostgreSQL database by its JDBC URL, its schema brought up to date by Flyway's numbered
 * migrations ({@code org/gpuattest/service/store/migration/V*.sql}, the same for both).
 *
 * <p>Connections: PostgreSQL's are pooled (HikariCP, at most {@link #POOL_SIZE}), since each
 * new one costs a network handshake and a server process, and the scheduler's writes and the
 * refresh would pay it at every transaction; the pool is shut down with the store. SQLite's are
 * not: one is a file opened in-process, and a pool would buy nothing where it costs: every write
 * takes the database's one write lock at its start ({@code transaction_mode=IMMEDIATE}, waiting
 * up to {@code busy_timeout} behind another writer) however many connections there are, and in
 * WAL mode reads, in autocommit, never wait for it. A connection per transaction also sees the
 * file as it is now, so a database locked, made read-only or replaced shows at the next one
 * (health) rather than behind a connection held open.
 */
public final class Stores {
  /** The SQLite file's name under $GPU_ATTEST_HOME/validator/. */
  public static final String DEFAULT_FILE = "service.db";

  /** At most this many PostgreSQL connections: the scheduler's writes, the refresh, health. */
  static final int POOL_SIZE = 10;
  /**
   * How long a transaction waits for a PostgreSQL connection before it fails: a database gone
   * away shows in health within this, the pool's connections found broken and new ones refused.
   */
  static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  private Stores() {}

  /** The default database: an SQLite file beside the evidence archive. */
  public static String defaultUrl() {
    return "jdbc:sqlite:" + AtomicFiles.home().resolve("validator").resolve(DEFAULT_FILE);
  }

  /**
   * Opens {@code url} ({@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://...}) and migrates
   * its schema.
   *
   * @param password the database password, or null (PostgreSQL only; SQLite has none)
   * @throws IllegalArgumentException the URL names another database
   * @throws StoreException it cannot be opened or migrated
   */
  public static Store open(String url, String password) {
    JdbcStore.Dialect dialect = JdbcStore.Dialect.of(url);
    if (dialect == JdbcStore.Dialect.SQLITE) {
      createFolder(url);
      Properties props = new Properties();
      // WAL lets the API read while an attestation is written; IMMEDIATE takes the write lock
      // at a transaction's start, so two writers queue (busy_timeout) instead of deadlocking.
      props.setProperty("journal_mode", "WAL");
      props.setProperty("busy_timeout", "10000");
      props.setProperty("transaction_mode", "IMMEDIATE");
      Connections connections = new Connections(url, props);
      migrate(connections, url);
      return new JdbcStore(dialect, connections, url, java.time.Clock.systemUTC(),
          JdbcStore.REFRESH);
    }
    HikariDataSource pool = pool(url, password);
    try {
      migrate(pool, url);
      return new JdbcStore(dialect, pool, url, java.time.Clock.systemUTC(), JdbcStore.REFRESH);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static void migrate(DataSource connections, String url) {
    try {
      Flyway.configure().dataSource(connections)
          .locations("classpath:org/gpuattest/service/store/migration")
          .loggers("slf4j").load().migrate();
    } catch (FlywayException e) {
      throw new StoreException("cannot migrate the database " + Transactions.redact(url) + ": "
          + oneLine(e.getMessage()), e);
    }
  }

  /** PostgreSQL's pool, its first connection made: a server that cannot be reached fails here. */
  static HikariDataSource pool(String url, String password) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("gpu-attest-store");
    config.setJdbcUrl(url);
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(2);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    try {
      return new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      Throwable why = e.getCause() != null ? e.getCause() : e;
      throw new StoreException("cannot open the database " + Transactions.redact(url) + ": "
          + oneLine(why.getMessage()), e);
    }
  }

  private static void createFolder(String url) {
    String file = url.substring("jdbc:sqlite:".length());
    int query = file.indexOf('?');
    if (query >= 0) {
      file = file.substring(0, query);
    }
    if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
      return;
    }
    Path parent = Path.of(file).toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new StoreException("cannot create the database's folder " + parent + ": "
          + AtomicFiles.describe(e), e);
    }
  }

  static String oneLine(String s) {
    if (s == null) {
      return "failed";
    }
    String line = s.replaceAll("\\s+", " ").trim();
    return line.length() > 400 ? line.substring(0, 397) + "..." : line;
  }
}
