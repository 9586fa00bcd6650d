package org.gpuattest.service.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.service.metrics.ServiceMetrics;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.ProviderStatus;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.StoreException;
import org.gpuattest.validator.VerdictText;
import org.gpuattest.validator.archive.ArchivedExchange;

/**
 * The HTTP API, the metrics and the status page (docs/service.md, "HTTP API"; the endpoints and
 * their answers are described by {@code openapi.json}, served at {@value #OPENAPI}). Every
 * answer but the status page is JSON; an error is {@code {"error": "one line"}} with its status.
 * A request without the bearer token, where one is required, is refused before anything else.
 */
final class ApiHandler extends Handler.Abstract {
  static final String API = "/api/v1";
  static final String OPENAPI = API + "/openapi.json";
  static final int MAX_PAGE = 500;
  private static final String JSON = "application/json";

  private final Store store;
  private final Control control;
  private final ServiceMetrics metrics;
  private final BearerToken token;
  private final Clock clock;
  private final byte[] openapi;
  final ProvidersJson providersJson = new ProvidersJson();

  /** @param token the token every request must carry; null on loopback without one */
  ApiHandler(Store store, Control control, ServiceMetrics metrics, BearerToken token,
      Clock clock) {
    this.store = store;
    this.control = control;
    this.metrics = metrics;
    this.token = token;
    this.clock = clock;
    this.openapi = resource("openapi.json");
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    try {
      if (token != null && !token.admits(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        return error(response, callback, 401, "a bearer token is required (Authorization:"
            + " Bearer TOKEN)");
      }
      String path = Request.getPathInContext(request);
      String method = request.getMethod();
      if (method.equals("POST") && crossOrigin(request)) {
        return error(response, callback, 403, "a POST from a web page of another origin is"
            + " refused");
      }
      List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
      boolean get = method.equals("GET") || method.equals("HEAD");
      boolean post = method.equals("POST");
      if (path.equals("/") && get) {
        Instant since = since();
        List<Store.Rate> rates = store.passingRates(since); // the plots draw every one
        return send(response, callback, 200, "text/html; charset=utf-8", StatusPage.render(
            FleetView.of(store.providers(), store.medians(since), clock.instant()), rates,
            clock.instant()));
      }
      if (path.equals("/metrics") && get) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return send(response, callback, 200, ServiceMetrics.CONTENT_TYPE, out.toByteArray());
      }
      if (parts.size() == 2 && parts.get(0).equals("attestations") && get) {
        return verdictPage(response, callback, parts.get(1));
      }
      if (parts.size() == 2 && parts.get(0).equals("providers") && get) {
        return providerPage(response, callback, parts.get(1));
      }
      if (parts.size() < 2 || !parts.get(0).equals("api") || !parts.get(1).equals("v1")) {
        return error(response, callback, 404, "no such page: see " + OPENAPI);
      }
      List<String> api = parts.subList(2, parts.size());
      if (api.equals(List.of("openapi.json")) && get) {
        return send(response, callback, 200, JSON, openapi);
      }
      if (api.equals(List.of("health")) && get) {
        Control.Health h = control.health();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", h.ok() ? "ok" : "failing");
        body.put("database", h.databaseProblem() == null ? "ok" : h.databaseProblem());
        body.put("archive", h.archiveProblem() == null ? "ok" : h.archiveProblem());
        return json(response, callback, h.ok() ? 200 : 503, body);
      }
      if (api.equals(List.of("reload")) && post) {
        List<String> problems = control.reload();
        if (!problems.isEmpty()) {
          return json(response, callback, 422, Map.of("error", "the fleet file was refused;"
              + " the running fleet is kept", "problems", problems));
        }
        return json(response, callback, 200, Map.of("providers", control.fleetSize()));
      }
      if (api.equals(List.of("providers")) && get) {
        return send(response, callback, 200, JSON, providersJson.write(FleetView.of(
            store.providers(), store.medians(since()), clock.instant())));
      }
      if (api.size() >= 2 && api.get(0).equals("providers")) {
        return provider(request, response, callback, api, get, post);
      }
      if (api.size() == 2 && api.get(0).equals("attestations") && get) {
        Optional<AttestationRow> a = store.attestation(api.get(1));
        if (a.isEmpty()) {
          return error(response, callback, 404, "no attestation " + api.get(1));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("attestation", FleetView.AttestationView.of(a.get()));
        verdict(a.get()).ifPresent(v -> body.put("verdict", v));
        return json(response, callback, 200, body);
      }
      return error(response, callback, get || post ? 404 : 405, "no such endpoint: "
          + method + " " + path + " (see " + OPENAPI + ")");
    } catch (StoreException e) {
      return error(response, callback, 503, e.getMessage());
    } catch (BadRequest e) {
      return error(response, callback, 400, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return error(response, callback, 500, "internal error: " + e);
    }
  }

  private boolean provider(Request request, Response response, Callback callback,
      List<String> api, boolean get, boolean post) throws IOException {
    String name = api.get(1);
    if (api.size() == 2 && get) {
      Instant now = clock.instant();
      return store.provider(name).map(p -> json(response, callback, 200, FleetView.of(
          List.of(p), store.medians(since()), now).get(0)))
          .orElseGet(() -> error(response, callback, 404, "no provider " + name));
    }
    if (api.size() == 3 && api.get(2).equals("attestations") && get) {
      if (store.provider(name).isEmpty()) {
        return error(response, callback, 404, "no provider " + name);
      }
      Fields q = Request.extractQueryParameters(request);
      int offset = number(q, "offset", 0, Integer.MAX_VALUE, 0);
      int limit = number(q, "limit", 1, MAX_PAGE, 50);
      List<FleetView.AttestationView> page = store.history(name, offset, limit).stream()
          .map(FleetView.AttestationView::of).toList();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("provider", name);
      body.put("offset", offset);
      body.put("limit", limit);
      body.put("attestations", page);
      if (page.size() == limit) {
        body.put("next", API + "/providers/" + name + "/attestations?offset=" + (offset + limit)
            + "&limit=" + limit);
      }
      return json(response, callback, 200, body);
    }
    if (api.size() == 3 && api.get(2).equals("attest") && post) {
      Optional<String> id = control.attestNow(name);
      if (id.isEmpty()) {
        return error(response, callback, 404, "no provider " + name + " in the running fleet");
      }
      response.getHeaders().put(HttpHeader.LOCATION, API + "/attestations/" + id.get());
      return json(response, callback, 202, Map.of("id", id.get(), "provider", name,
          "state", "queued"));
    }
    return error(response, callback, 404, "no such endpoint (see " + OPENAPI + ")");
  }

  /**
   * Whether a browser sent this request from a page of another origin: a page elsewhere could
   * otherwise make a visitor's browser POST to a service on loopback (attest now, reload) with
   * no token. Browsers name the page's origin in Origin; curl and Prometheus send none.
   */
  private static boolean crossOrigin(Request request) {
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin == null) {
      return false;
    }
    String host = request.getHeaders().get(HttpHeader.HOST);
    return host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host));
  }

  private boolean providerPage(Response response, Callback callback, String name) {
    Optional<ProviderStatus> p = store.provider(name);
    if (p.isEmpty()) {
      return send(response, callback, 404, "text/html; charset=utf-8",
          StatusPage.message("No provider " + name));
    }
    FleetView.ProviderView view = FleetView.of(List.of(p.get()), store.medians(since()),
        clock.instant()).get(0);
    return send(response, callback, 200, "text/html; charset=utf-8",
        StatusPage.provider(view, store.history(name, 0, 50)));
  }

  private boolean verdictPage(Response response, Callback callback, String id) {
    Optional<AttestationRow> a = store.attestation(id);
    if (a.isEmpty()) {
      return send(response, callback, 404, "text/html; charset=utf-8",
          StatusPage.message("No attestation " + id));
    }
    return send(response, callback, 200, "text/html; charset=utf-8",
        StatusPage.verdict(a.get(), verdict(a.get()).map(VerdictText::format).orElse(null)));
  }

  /** The verdict, read from the archive: the record of the exchange, the index its pointer. */
  private static Optional<Verdict> verdict(AttestationRow a) {
    if (a.archivePath() == null) {
      return Optional.empty();
    }
    try {
      byte[] bytes = Files.readAllBytes(Path.of(a.archivePath(), ArchivedExchange.VERDICT));
      return Optional.of(Json.read("verdict.json", bytes, Verdict.class));
    } catch (IOException | BadMessageException e) {
      return Optional.empty();
    }
  }

  private Instant since() {
    return clock.instant().minus(FleetView.WINDOW);
  }

  private static int number(Fields q, String name, int min, int max, int dflt) {
    String v = q.getValue(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new BadRequest(name + ": a whole number in [" + min + ", " + max + "]");
  }

  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }

  private static boolean json(Response r, Callback cb, int status, Object body) {
    return send(r, cb, status, JSON, Json.write(body));
  }

  private static boolean error(Response r, Callback cb, int status, String message) {
    return json(r, cb, status, Map.of("error", message));
  }

  private static boolean send(Response r, Callback cb, int status, String type, String body) {
    return send(r, cb, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean send(Response r, Callback cb, int status, String type, byte[] body) {
    r.setStatus(status);
    r.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    r.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    r.write(true, ByteBuffer.wrap(body), cb);
    return true;
  }

  private static byte[] resource(String name) {
    try (InputStream in = ApiHandler.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the service jar lacks " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }
}
