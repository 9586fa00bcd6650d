package org.gpuattest.service.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The store's JDBC plumbing: binding arguments, reading attestation rows, times. */
final class Sql {
  private Sql() {}

  static Long millis(Instant t) {
    return t == null ? null : t.toEpochMilli();
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, args);
      return s.executeUpdate();
    }
  }

  static void bind(PreparedStatement s, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        s.setObject(i + 1, null);
      } else if (a instanceof Long l) {
        s.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        s.setInt(i + 1, n);
      } else if (a instanceof Double d) {
        s.setDouble(i + 1, d);
      } else {
        s.setString(i + 1, a.toString());
      }
    }
  }

  static List<AttestationRow> rows(Connection c, String sql, Object... args)
      throws SQLException {
    List<AttestationRow> out = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, args);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new AttestationRow(r.getString("id"), r.getString("provider"),
              Store.State.valueOf(r.getString("state")), r.getString("instance"),
              instant(r, "requested_ms"), instant(r, "started_ms"), instant(r, "finished_ms"),
              r.getString("challenge_id"), r.getString("model"), r.getInt("gpus"),
              r.getString("summary"), r.getString("failed_checks"),
              r.getString("prover_failure"), r.getString("backend"),
              number(r, "tflops_per_gpu"), number(r, "elapsed_seconds"),
              r.getString("archive_path"), number(r, "memory_tbps")));
        }
      }
    }
    return out;
  }

  static Instant instant(ResultSet r, String column) throws SQLException {
    long v = r.getLong(column);
    return r.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  static Double number(ResultSet r, String column) throws SQLException {
    double v = r.getDouble(column);
    return r.wasNull() ? null : v;
  }
}
