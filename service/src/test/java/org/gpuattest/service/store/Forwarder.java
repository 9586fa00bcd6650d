package org.gpuattest.service.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on loopback to a database server: its network, which a test cuts ({@link
 * #cut}: the listening socket and every forwarded connection closed, as when the server goes
 * away) and restores on the same port.
 */
final class Forwarder implements AutoCloseable {
  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private int port;

  Forwarder(String host, int targetPort) throws IOException {
    target = new InetSocketAddress(host, targetPort);
    listen(0);
  }

  int port() {
    return port;
  }

  void cut() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
    open.clear();
  }

  void restore() throws IOException {
    listen(port);
  }

  private void listen(int on) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), on));
    port = s.getLocalPort();
    server = s;
    daemon(() -> {
      while (!s.isClosed()) {
        try {
          Socket in = s.accept();
          Socket out = new Socket(target.getAddress(), target.getPort());
          open.add(in);
          open.add(out);
          daemon(() -> pump(in, out));
          daemon(() -> pump(out, in));
        } catch (IOException e) {
          return; // cut
        }
      }
    });
  }

  private void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // one side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException e) {
        // closed already
      }
    }
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "forwarder");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    cut();
  }
}
