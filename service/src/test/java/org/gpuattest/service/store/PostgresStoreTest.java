package org.gpuattest.service.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;

/** The store's contract on PostgreSQL: skipped, saying why, where no server is named. */
class PostgresStoreTest extends StoreContract {
  private String url;

  @BeforeAll
  static void server() {
    assumeTrue(TestDatabases.postgresServer() != null, TestDatabases.noPostgres());
  }

  @Override
  String url() throws Exception {
    url = TestDatabases.freshPostgresSchema();
    return url;
  }

  @Override
  String urlOfThisStore() {
    return url;
  }
}
