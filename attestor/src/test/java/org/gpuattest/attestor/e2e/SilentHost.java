package org.gpuattest.attestor.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A prover host that never answers: it accepts TCP connections on 127.0.0.1 and then says
 * nothing, not even the SSH banner, as a hung sshd or a black-holing middlebox would. An ssh
 * client without ConnectTimeout waits on it forever; only the validator's own deadline ends
 * the wait.
 */
final class SilentHost implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  SilentHost() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(this::acceptAll, "silent-host");
    t.setDaemon(true);
    t.start();
  }

  private void acceptAll() {
    try {
      while (true) {
        accepted.add(listener.accept()); // and never a byte back
      }
    } catch (IOException e) {
      // closed
    }
  }

  int port() {
    return listener.getLocalPort();
  }

  /** How many connections it has taken (and left unanswered). */
  int connections() {
    return accepted.size();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : accepted) {
      s.close();
    }
  }
}
