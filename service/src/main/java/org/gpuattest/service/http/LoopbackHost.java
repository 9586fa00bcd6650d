package org.gpuattest.service.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.gpuattest.common.json.Json;

/**
 * The defence against DNS rebinding of a service on loopback (docs/service.md, "HTTP API"): a
 * web page on a name its owner controls can point that name at 127.0.0.1 once the page has
 * loaded, and the visitor's browser then sends the page's requests, and lets it read the
 * answers, to the service, which needs no token on loopback. Such a request still names the
 * page's host in its Host header, so a request whose Host is not a loopback name or address
 * ({@code localhost}, a name under {@code .localhost}, RFC 6761 section 6.3, which browsers
 * resolve to loopback themselves; a loopback IP literal), nor the name or address the service
 * was told to listen on, is refused with 421 and a one-line JSON error before anything else.
 * A request without a Host header (HTTP/1.0; browsers always send one) is let through.
 */
final class LoopbackHost extends Handler.Wrapper {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final String listenHost;

  /** @param listenHost the host 'validator serve --listen' named (a name or an address) */
  LoopbackHost(String listenHost, Handler next) {
    super(next);
    this.listenHost = normal(listenHost);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback)
      throws Exception {
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host != null && !admits(host)) {
      response.setStatus(421);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      response.write(true, ByteBuffer.wrap(Json.write(Map.of("error", "the Host header"
          + " names no loopback host; this service on loopback answers only requests for"
          + " localhost, a loopback address or its --listen host (DNS rebinding)"))), callback);
      return true;
    }
    return super.handle(request, response, callback);
  }

  /** Whether a Host header's value (host, host:port, [v6]:port) names this loopback service. */
  boolean admits(String hostHeader) {
    String h = hostOf(hostHeader.strip());
    if (h == null) {
      return false;
    }
    h = normal(h);
    if (h.equals(listenHost) || h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    // An address literal only: a name is never resolved here (that is what an attacker
    // controls).
    if (IPV4.matcher(h).matches() || h.indexOf(':') >= 0) {
      try {
        return InetAddress.getByName(h).isLoopbackAddress();
      } catch (UnknownHostException | SecurityException e) {
        return false;
      }
    }
    return false;
  }

  /** The host part of a Host header, without its port and an IPv6 literal's brackets. */
  private static String hostOf(String value) {
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      if (end < 0) {
        return null;
      }
      String rest = value.substring(end + 1);
      return rest.isEmpty() || rest.matches(":\\d{1,5}") ? value.substring(1, end) : null;
    }
    int colon = value.indexOf(':');
    if (colon >= 0) {
      return value.substring(colon + 1).matches("\\d{1,5}") ? value.substring(0, colon) : null;
    }
    return value;
  }

  private static String normal(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }
}
