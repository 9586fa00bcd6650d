package org.gpuattest.service.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The databases the store's tests run on: an SQLite file in a test's folder, and the PostgreSQL
 * server named by {@value #POSTGRES_ENV} (a JDBC URL; .ci/run starts a throwaway one with
 * scripts/throwaway-postgres.sh). Each PostgreSQL test gets a schema of its own.
 */
public final class TestDatabases {
  public static final String POSTGRES_ENV = "GPU_ATTEST_TEST_POSTGRES_URL";

  private TestDatabases() {}

  public static String sqlite(Path dir) {
    return "jdbc:sqlite:" + dir.resolve("service.db");
  }

  /** The server's URL, or null when none is named. */
  public static String postgresServer() {
    String url = System.getenv(POSTGRES_ENV);
    return url == null || url.isBlank() ? null : url;
  }

  /** Why PostgreSQL tests are skipped here, for assumeTrue. */
  public static String noPostgres() {
    return "no PostgreSQL server: set " + POSTGRES_ENV + " to a JDBC URL (.ci/run starts one"
        + " with scripts/throwaway-postgres.sh)";
  }

  /** A new, empty schema on the server, and the URL that makes it the current one. */
  public static String freshPostgresSchema() throws Exception {
    String server = postgresServer();
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)
        .toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(server);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }
}
