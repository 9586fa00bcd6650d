package org.gpuattest.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.gpuattest.common.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS rebinding (docs/service.md, "HTTP API"): a page on an attacker's name, rebound to
 * 127.0.0.1, makes the browser send requests that name the attacker's host in Host. The service
 * on loopback answers them 421 with a one-line JSON error, and answers requests for localhost
 * or a loopback address as before. Raw HTTP over a socket, so the Host header is exactly the
 * one written.
 */
class DnsRebindingTest {
  @TempDir Path dir;
  private ApiFixture api;

  @BeforeEach
  void start() throws Exception {
    api = new ApiFixture(dir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
  }

  @Test
  void get_foreignHost_refused421WithAOneLineJsonError() throws Exception {
    int port = api.server.port();
    for (String host : List.of("evil.example", "evil.example:" + port, "127.0.0.1.nip.io",
        "localhost.evil.example", "192.168.1.10:" + port, "[2001:db8::1]:" + port)) {
      for (String path : List.of("/", "/api/v1/providers", "/api/v1/health", "/metrics")) {
        String[] r = raw("GET", path, host);
        assertEquals("421", r[0], host + " " + path + ": " + r[1]);
        String error = Json.read("answer", r[1].getBytes(StandardCharsets.UTF_8),
            JsonNode.class).get("error").asText();
        assertTrue(error.startsWith("the Host header names no loopback host")
            && error.lines().count() == 1, r[1]);
      }
    }
    // Not a host at all: Jetty refuses it itself.
    assertEquals("400", raw("GET", "/", "127.0.0.1:" + port + "@evil.example")[0]);
    assertEquals("421", raw("POST", "/api/v1/providers/good/attest", "evil.example")[0]);
    assertEquals(0, api.store.count(org.gpuattest.service.store.Store.State.QUEUED),
        "nothing queued for a foreign host");
  }

  @Test
  void get_loopbackHost_answered() throws Exception {
    int port = api.server.port();
    for (String host : List.of("127.0.0.1:" + port, "127.0.0.1", "localhost:" + port,
        "LOCALHOST", "localhost.", "status.localhost:" + port, "[::1]:" + port,
        "127.1.2.3")) {
      String[] r = raw("GET", "/api/v1/providers", host);
      assertEquals("200", r[0], host + ": " + r[1]);
    }
  }

  /** One request with exactly this Host; its status code and body. */
  private String[] raw(String method, String path, String host) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), api.server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close"
          + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int body = text.indexOf("\r\n\r\n");
      return new String[] {text.substring(9, 12), body < 0 ? "" : text.substring(body + 4)};
    }
  }
}
