package org.gpuattest.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.gpuattest.common.json.Json;
import org.gpuattest.service.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API against its OpenAPI document: every answer of every endpoint the document
 * lists, success and error, validates against the schema the document gives for that status;
 * plus what the answers say (order, flags, paging, 202 with the id, health's 503).
 */
class ApiTest {
  @TempDir Path dir;
  private ApiFixture api;
  private JsonNode openapi;
  /** "METHOD path status" of every answer checked, to compare with the document's list. */
  private final Set<String> checked = new TreeSet<>();

  @BeforeEach
  void start() throws Exception {
    api = new ApiFixture(dir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
    try (InputStream in = ApiHandler.class.getResourceAsStream("openapi.json")) {
      openapi = Json.read("openapi.json", in.readAllBytes(), JsonNode.class);
    }
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
  }

  /** Checks {@code r}'s body against the document's schema for (template, method, status). */
  private String conforms(HttpResponse<String> r, String template, String method)
      throws Exception {
    String status = Integer.toString(r.statusCode());
    JsonNode op = openapi.path("paths").path(template).path(method);
    assertFalse(op.isMissingNode(), "the document lacks " + method + " " + template);
    JsonNode schema = op.path("responses").path(status).path("content")
        .path("application/json").path("schema");
    assertFalse(schema.isMissingNode(), "the document lacks " + method + " " + template + " "
        + status + ": " + r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    // The document's schemas as a JSON Schema of their own: components.schemas become $defs.
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.set("$defs", openapi.get("components").get("schemas"));
    root.setAll((ObjectNode) schema.deepCopy());
    String text = Json.writeString(root).replace("#/components/schemas/", "#/$defs/");
    Set<ValidationMessage> errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(text, InputFormat.JSON).validate(r.body(), InputFormat.JSON);
    assertEquals(Set.of(), errors, method + " " + template + " " + status + ": " + r.body());
    checked.add(method + " " + template + " " + status);
    return r.body();
  }

  @Test
  void everyEndpoint_successAndErrors_conformToTheOpenApiDocument() throws Exception {
    String providers = conforms(api.get("/api/v1/providers"), "/api/v1/providers", "get");
    assertEquals(List.of("broken", "slow", "good"), ApiFixture.names(providers),
        "failing first, then flagged, then the rest");
    JsonNode slow = tree(conforms(api.get("/api/v1/providers/slow"), "/api/v1/providers/{name}",
        "get"));
    assertTrue(slow.get("flagged").asBoolean(), "40 is below 0.9 of the model's median 50");
    JsonNode good = tree(api.get("/api/v1/providers/good").body());
    assertEquals(51.0, good.get("medianTflopsPerGpu").asDouble());
    assertEquals(2.55, good.get("medianMemoryTBps").asDouble(), 1e-9,
        "the median memory bandwidth, as 'validator fleet' reports it");
    assertEquals(2.6, good.get("last").get("memoryTBps").asDouble(), 1e-9);
    assertFalse(good.get("flagged").asBoolean());
    conforms(api.get("/api/v1/providers/nobody"), "/api/v1/providers/{name}", "get");

    JsonNode page = tree(conforms(api.get("/api/v1/providers/good/attestations?limit=1"),
        "/api/v1/providers/{name}/attestations", "get"));
    assertEquals(api.lastPassId, page.get("attestations").get(0).get("id").asText(),
        "newest first");
    assertEquals("/api/v1/providers/good/attestations?offset=1&limit=1",
        page.get("next").asText());
    JsonNode second = tree(api.get(page.get("next").asText()).body());
    assertEquals(1, second.get("attestations").size());
    conforms(api.get("/api/v1/providers/good/attestations?limit=0"),
        "/api/v1/providers/{name}/attestations", "get");
    conforms(api.get("/api/v1/providers/nobody/attestations"),
        "/api/v1/providers/{name}/attestations", "get");

    JsonNode one = tree(conforms(api.get("/api/v1/attestations/" + api.lastPassId),
        "/api/v1/attestations/{id}", "get"));
    assertEquals("pass", one.get("verdict").get("result").asText(), "read from the archive");
    conforms(api.get("/api/v1/attestations/none"), "/api/v1/attestations/{id}", "get");

    HttpResponse<String> queued = api.post("/api/v1/providers/good/attest");
    JsonNode q = tree(conforms(queued, "/api/v1/providers/{name}/attest", "post"));
    assertEquals(202, queued.statusCode());
    assertEquals("/api/v1/attestations/" + q.get("id").asText(),
        queued.headers().firstValue("Location").orElseThrow());
    assertEquals(1, api.store.count(Store.State.QUEUED));
    conforms(api.post("/api/v1/providers/gone/attest"), "/api/v1/providers/{name}/attest",
        "post");

    conforms(api.post("/api/v1/reload"), "/api/v1/reload", "post");
    for (String[] post : new String[][] {{"/api/v1/reload", "/api/v1/reload"},
        {"/api/v1/providers/good/attest", "/api/v1/providers/{name}/attest"}}) {
      conforms(api.http.send(java.net.http.HttpRequest.newBuilder(api.uri(post[0]))
          .header("Origin", "http://evil.example")
          .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString()), post[1], "post");
    }
    api.reloadProblems = List.of("fleet.json: providers[0] (x): prover is required");
    HttpResponse<String> refused = api.post("/api/v1/reload");
    assertEquals(422, refused.statusCode());
    conforms(refused, "/api/v1/reload", "post");

    conforms(api.get("/api/v1/health"), "/api/v1/health", "get");
    api.health = new Control.Health(null, "evidence archive /x: not writable");
    HttpResponse<String> sick = api.get("/api/v1/health");
    assertEquals(503, sick.statusCode());
    assertEquals("evidence archive /x: not writable", tree(conforms(sick, "/api/v1/health",
        "get")).get("archive").asText());
    conforms(api.get("/api/v1/openapi.json"), "/api/v1/openapi.json", "get");

    // Every status the document lists for every operation was seen and checked.
    Set<String> documented = new TreeSet<>();
    openapi.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(
        m -> m.getValue().get("responses").fieldNames().forEachRemaining(s ->
            documented.add(m.getKey() + " " + p.getKey() + " " + s))));
    assertEquals(documented, checked);
  }

  @Test
  void metrics_prometheusTextFormat() throws Exception {
    HttpResponse<String> r = api.get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertTrue(r.body().contains("# TYPE gpu_attest_scheduler_queue_depth gauge"), r.body());
    assertTrue(r.body().contains("# TYPE gpu_attest_attestation_duration_seconds histogram"),
        r.body());
  }

  @Test
  void unknownPathAndMethod_jsonErrors() throws Exception {
    assertEquals(404, api.get("/api/v1/nothing").statusCode());
    assertEquals(405, api.http.send(java.net.http.HttpRequest.newBuilder(
        api.uri("/api/v1/providers")).DELETE().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  /** A page of another origin cannot make a browser POST here; the same origin can. */
  @Test
  void post_fromAnotherOrigin_refused() throws Exception {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
        api.uri("/api/v1/providers/good/attest")).POST(
            java.net.http.HttpRequest.BodyPublishers.noBody());
    HttpResponse<String> foreign = api.http.send(b.copy().header("Origin",
        "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, foreign.statusCode());
    conforms(foreign, "/api/v1/providers/{name}/attest", "post");
    assertEquals(0, api.store.count(Store.State.QUEUED), "nothing queued");
    HttpResponse<String> same = api.http.send(b.copy().header("Origin",
        "http://127.0.0.1:" + api.server.port()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(202, same.statusCode());
  }

  @Test
  void start_notLoopbackWithoutToken_refused() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ApiFixture(dir.resolve("other"), new InetSocketAddress("0.0.0.0", 0), null));
    assertTrue(e.getMessage().startsWith("--listen: 0.0.0.0 is not a loopback address; give"
        + " --token-file FILE"), e.getMessage());
  }

  @Test
  void token_missingWrongOrRight_401401200() throws Exception {
    Path file = dir.resolve("token");
    String token = "0123456789abcdef0123456789abcdef";
    Files.writeString(file, token + "\n");
    try (ApiFixture guarded = new ApiFixture(dir.resolve("guarded"),
        new InetSocketAddress("0.0.0.0", 0), BearerToken.read("--token-file", file))) {
      HttpResponse<String> none = guarded.get("/api/v1/providers");
      assertEquals(401, none.statusCode());
      assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElseThrow());
      assertFalse(none.body().contains(token));
      assertEquals(401, guarded.get("/metrics", "Authorization", "Bearer "
          + token.substring(1) + "0").statusCode());
      assertEquals(200, guarded.get("/api/v1/providers", "Authorization", "Bearer " + token)
          .statusCode());
    }
  }

  @Test
  void tokenFile_tooShort_refusedWithoutEchoingIt() throws Exception {
    Path file = dir.resolve("short");
    Files.writeString(file, "secret-123\n", StandardCharsets.UTF_8);
    org.gpuattest.common.BadMessageException e = assertThrows(
        org.gpuattest.common.BadMessageException.class,
        () -> BearerToken.read("--token-file", file));
    assertFalse(e.getMessage().contains("secret-123"), e.getMessage());
  }

  private static JsonNode tree(String json) throws Exception {
    return Json.read("answer", json.getBytes(StandardCharsets.UTF_8), JsonNode.class);
  }
}
