package org.gpuattest.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator serve' refusing to start, in-process: each refusal one line and its exit code, and
 * found before any prover is asked for work (no attestation is recorded).
 */
class ServeCommandTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private Run serve(String... extra) throws Exception {
    Path fleet = dir.resolve("fleet.json");
    Files.writeString(fleet, "{\"version\": 1, \"providers\": [{\"name\": \"p\", \"prover\":"
        + " \"true\", \"gpus\": 1, \"model\": \"NVIDIA H100 80GB HBM3\", \"dim\": 64,"
        + " \"iterations\": 1, \"allowCpu\": true, \"intervalSeconds\": 3600}]}");
    List<String> args = new ArrayList<>(List.of("serve", "--fleet", fleet.toString(),
        "--archive", dir.resolve("archive").toString(), "--replay-dir",
        dir.resolve("replay").toString()));
    if (!List.of(extra).contains("--db")) {
      args.addAll(List.of("--db", "jdbc:sqlite:" + dir.resolve("service.db")));
    }
    args.addAll(List.of(extra));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ServiceMain.runServe(args.toArray(new String[0]), new PrintWriter(out),
        new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void listen_notLoopbackWithoutToken_exit2OneLine() throws Exception {
    Run r = serve("--listen", "0.0.0.0:0");
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("validator serve: --listen: 0.0.0.0 is not a loopback"
        + " address; give --token-file FILE"), r.err());
  }

  @Test
  void listen_portTaken_exit3OneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run r = serve("--listen", "127.0.0.1:" + taken.getLocalPort());
      assertEquals(3, r.code(), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().startsWith("validator serve: --listen: cannot serve on 127.0.0.1:"
          + taken.getLocalPort()), r.err());
    }
  }

  @Test
  void db_anotherDatabase_exit2() throws Exception {
    Run r = serve("--db", "jdbc:mysql://127.0.0.1/x");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--db: a jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB URL"),
        r.err());
  }

  @Test
  void check_goodFleet_exit0AndNothingWritten() throws Exception {
    Run r = serve("--check");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().endsWith("fleet.json: 1 providers, every entry good\n"), r.out());
    assertFalse(Files.exists(dir.resolve("service.db")));
  }
}
