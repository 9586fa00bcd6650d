package org.gpuattest.service.http;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.service.metrics.ServiceMetrics;
import org.gpuattest.service.store.Result;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.Stores;
import org.gpuattest.service.store.TestDatabases;

/**
 * The HTTP server on loopback over a store with a small history, and a {@link Control} whose
 * answers the test sets: the server's side of the service without a scheduler or provers.
 * Providers: "good" (two passes, 50 and 52 TFLOP/s per GPU on cuda, memory phases at 2.5 and
 * 2.6 TB/s, its last verdict archived),
 * "slow" (one pass at 40: flagged against the model's median), "broken" (one prover failure).
 */
final class ApiFixture implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  static final String MODEL = "NVIDIA H100 80GB HBM3";

  final Store store;
  final ApiServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final Clock clock = Clock.fixed(T0.plus(Duration.ofHours(5)), ZoneOffset.UTC);
  List<String> reloadProblems = List.of();
  Control.Health health = new Control.Health(null, null);
  String lastPassId;

  ApiFixture(Path dir, InetSocketAddress listen, BearerToken token) throws Exception {
    store = Stores.open(TestDatabases.sqlite(dir), null);
    store.syncFleet(List.of(spec("good"), spec("slow"), spec("broken")), T0,
        (p, now) -> now.plus(Duration.ofDays(30)));
    Path archived = dir.resolve("archive").resolve("2026-03-01").resolve("a".repeat(32));
    Files.createDirectories(archived);
    Files.write(archived.resolve("verdict.json"), Json.write(Verdict.of("a".repeat(32),
        List.of(Check.pass("openings.exact", "4/4 exact", "4/4 exact", "Every sampled row"
            + " matches.")))));
    finish("good", 0, Store.State.PASSED, 50.0, null, null, null);
    lastPassId = finish("good", 1, Store.State.PASSED, 52.0, null, "a".repeat(32),
        archived.toString());
    finish("slow", 0, Store.State.PASSED, 40.0, null, null, null);
    finish("broken", 0, Store.State.FAILED, null, "prover.exit", null, null);
    ServiceMetrics metrics = new ServiceMetrics();
    server = ApiServer.start(listen, token, store, new Control() {
      @Override
      public Optional<String> attestNow(String provider) {
        return provider.equals("gone") ? Optional.empty() : store.requestNow(provider,
            clock.instant());
      }

      @Override
      public List<String> reload() {
        return reloadProblems;
      }

      @Override
      public int fleetSize() {
        return 3;
      }

      @Override
      public Health health() {
        return health;
      }
    }, metrics, clock);
  }

  private String finish(String provider, int hour, Store.State state, Double tflops,
      String proverFailure, String challenge, String archive) {
    Instant at = T0.plus(Duration.ofHours(hour));
    store.requestNow(provider, at); // due now, the others a month away
    Store.Claim c = store.claimDue("host", at, Duration.ofSeconds(60), List.of()).orElseThrow();
    if (!c.provider().equals(provider)) {
      throw new IllegalStateException("claimed " + c.provider() + ", wanted " + provider);
    }
    store.finish(c.attestationId(), new Result(state, at.plusSeconds(30), challenge,
        state == Store.State.PASSED ? "verdict: PASS" : "verdict: FAIL",
        state == Store.State.PASSED ? null : proverFailure, proverFailure,
        tflops == null ? null : "cuda", tflops, 10.0, archive, tflops == null ? null
            : tflops / 20), // a memory phase's rate: 2.5 TB/s at 50 TFLOP/s
        at.plus(Duration.ofDays(30)), state == Store.State.PASSED ? 0 : 1);
    return c.attestationId();
  }

  private static Store.ProviderSpec spec(String name) {
    return new Store.ProviderSpec(name, MODEL, 8, Duration.ofHours(1));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<String> names(String json) throws Exception {
    List<String> out = new ArrayList<>();
    Json.read("providers", json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        com.fasterxml.jackson.databind.JsonNode.class).get("providers")
        .forEach(p -> out.add(p.get("name").asText()));
    return out;
  }

  @Override
  public void close() throws Exception {
    server.close();
    store.close();
  }
}
