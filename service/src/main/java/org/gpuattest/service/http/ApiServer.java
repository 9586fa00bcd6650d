package org.gpuattest.service.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.gpuattest.service.metrics.ServiceMetrics;
import org.gpuattest.service.store.Store;

/**
 * The embedded HTTP server (Jetty) that serves {@link ApiHandler}: on loopback by default, where
 * requests whose Host is not loopback's are refused ({@link LoopbackHost}, DNS rebinding); on
 * any other address only with a bearer token ({@link #start} refuses otherwise). TLS is left to
 * a reverse proxy in front (docs/service.md).
 */
public final class ApiServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;

  private ApiServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /**
   * Starts serving.
   *
   * @param token required on a non-loopback address; null for none
   * @throws IllegalArgumentException a non-loopback address without a token
   * @throws Exception the port cannot be bound
   */
  public static ApiServer start(InetSocketAddress listen, BearerToken token, Store store,
      Control control, ServiceMetrics metrics, Clock clock) throws Exception {
    InetAddress a = listen.getAddress();
    if (a == null || !a.isLoopbackAddress()) {
      if (token == null) {
        throw new IllegalArgumentException("--listen: " + listen.getHostString() + " is not a"
            + " loopback address; give --token-file FILE so that only holders of its token are"
            + " answered, and put TLS in front (docs/service.md)");
      }
    }
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost(listen.getHostString());
    connector.setPort(listen.getPort());
    server.addConnector(connector);
    Handler api = new ApiHandler(store, control, metrics, token, clock);
    // On loopback no token is needed, so a foreign Host is refused (DNS rebinding).
    server.setHandler(a != null && a.isLoopbackAddress()
        ? new LoopbackHost(listen.getHostString(), api) : api);
    server.setStopTimeout(2000);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    return new ApiServer(server, connector);
  }

  /** The port bound: the one asked for, or the one chosen for port 0. */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
