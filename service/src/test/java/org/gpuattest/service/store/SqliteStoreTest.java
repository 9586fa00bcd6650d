package org.gpuattest.service.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store's contract on an SQLite file. */
class SqliteStoreTest extends StoreContract {
  @TempDir Path dir;

  @Override
  String url() {
    return TestDatabases.sqlite(dir);
  }

  @Override
  String urlOfThisStore() {
    return url();
  }
}
