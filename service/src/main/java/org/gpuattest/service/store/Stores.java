package org.gpuattest.service.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.gpuattest.common.util.AtomicFiles;

/**
 * Opens the store: an SQLite file (the default, {@code $GPU_ATTEST_HOME/validator/service.db})
 * or a PostgreSQL database by its JDBC URL, its schema brought up to date by Flyway's numbered
 * migrations ({@code org/gpuattest/service/store/migration/V*.sql}, the same for both).
 */
public final class Stores {
  /** The SQLite file's name under $GPU_ATTEST_HOME/validator/. */
  public static final String DEFAULT_FILE = "service.db";

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
    Properties props = new Properties();
    if (dialect == JdbcStore.Dialect.SQLITE) {
      createFolder(url);
      // WAL lets the API read while an attestation is written; IMMEDIATE takes the write lock
      // at a transaction's start, so two writers queue (busy_timeout) instead of deadlocking.
      props.setProperty("journal_mode", "WAL");
      props.setProperty("busy_timeout", "10000");
      props.setProperty("transaction_mode", "IMMEDIATE");
    } else if (password != null) {
      props.setProperty("password", password);
    }
    try {
      Flyway.configure().dataSource(new Connections(url, props))
          .locations("classpath:org/gpuattest/service/store/migration")
          .loggers("slf4j").load().migrate();
    } catch (FlywayException e) {
      throw new StoreException("cannot migrate the database " + Transactions.redact(url) + ": "
          + oneLine(e.getMessage()), e);
    }
    return new JdbcStore(dialect, new Connections(url, props), url, java.time.Clock.systemUTC(),
        JdbcStore.REFRESH);
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
