package org.gpuattest.service.store;

import java.sql.Connection;
import java.io.Closeable;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;

/**
 * The store's units of work over its connections: a transaction ({@link #tx}) for a write, and
 * autocommit ({@link #read}) for a read, so a read never takes SQLite's write lock. Each runs on
 * a connection of its own, given back at its end (to the pool, for PostgreSQL; {@link
 * Stores}): no connection is shared between threads. A
 * failure is a {@link StoreException} naming the database (its URL without the query, where a
 * password may be) and what could not be done.
 */
final class Transactions {
  final JdbcStore.Dialect dialect;
  private final DataSource connections;
  private final String url;

  Transactions(JdbcStore.Dialect dialect, DataSource connections, String url) {
    this.dialect = dialect;
    this.connections = connections;
    this.url = url;
  }

  /** The work of one transaction or read on its connection. */
  interface Body<T> {
    T run(Connection c) throws SQLException;
  }

  /** A read: autocommit, so no write lock; each statement sees what is committed. */
  <T> T read(String what, Body<T> body) {
    try (Connection c = connections.getConnection()) {
      return body.run(c);
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  /** One transaction: its body's result, committed; rolled back on any exception. */
  <T> T tx(String what, Body<T> body) {
    try (Connection c = connections.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = body.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException lost) {
          // The connection broke (the database went away): say why, not that it is closed.
          e.addSuppressed(lost);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  private StoreException failed(String what, SQLException e) {
    String why = e.getMessage();
    if (e instanceof SQLTransientConnectionException && e.getCause() != null) {
      // The pool's timeout: its cause says why no connection could be made.
      why = why + ": " + e.getCause().getMessage();
    }
    return new StoreException("database " + redact(url) + ": cannot " + what + ": "
        + Stores.oneLine(why), e);
  }

  /** Closes the connections' pool, where they come from one; its connections are closed. */
  void close() {
    if (connections instanceof Closeable pool) {
      try {
        pool.close();
      } catch (IOException e) {
        // Closing a pool closes sockets: nothing is left to write.
      }
    }
  }

  /** The URL without its query, where a password may be. */
  static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }
}
