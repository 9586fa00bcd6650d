package org.gpuattest.service.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/** Connections by URL, one per call: for the store's transactions and for Flyway. */
final class Connections implements javax.sql.DataSource {
  final String url;
  private final Properties props;

  Connections(String url, Properties props) {
    this.url = url;
    this.props = props;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return java.sql.DriverManager.getConnection(url, props);
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public java.io.PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(java.io.PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public java.util.logging.Logger getParentLogger() {
    return java.util.logging.Logger.getLogger("org.gpuattest.service.store");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
