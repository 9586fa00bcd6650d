package org.gpuattest.attestor.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * One remote command of {@link LoopbackSshServer}, run as OpenSSH's sshd runs a command without
 * a terminal: {@code /bin/sh -c COMMAND} with its stdin, stdout and stderr wired to the
 * channel and its exit status sent back. When the connection goes away, sshd only closes the
 * command's standard input; so does this class, and the prover must stop by itself (its
 * lifeline, docs/protocol.md §3.2). Only a command still running {@link #GRACE} later is
 * killed, and that is recorded, so a test can tell a prover that stopped from one that was
 * stopped.
 *
 * <p>A {@link Fault} makes the host drop the connection (the TCP connection closed at once,
 * no SSH goodbye) at a chosen point of the attest conversation.
 */
final class RemoteShellCommand implements Command {
  /** Where the host drops the connection. */
  enum Fault {
    NONE,
    /** On the validator's 'go' line, before the prover sees it. */
    DROP_AT_GO,
    /** After the first bytes of the prover's answer to 'go' (no line end) reached the client. */
    DROP_MID_ANSWER
  }

  /** How long a command may take to stop by itself once its input is closed. */
  static final Duration GRACE = Duration.ofSeconds(15);

  /** How the command ended: its exit code, and whether the server had to kill it. */
  record Ending(int code, boolean killed) {}

  private final String command;
  private final Fault fault;
  private final CompletableFuture<Ending> ending = new CompletableFuture<>();
  private InputStream in;
  private OutputStream out;
  private OutputStream err;
  private ExitCallback exit;
  private ChannelSession channel;
  private Process process;
  private volatile boolean goSeen;
  private volatile boolean dropped;
  private volatile boolean killed;

  RemoteShellCommand(String command, Fault fault) {
    this.command = command;
    this.fault = fault;
  }

  String command() {
    return command;
  }

  /** How the command ended, once it has (null if not within {@code timeout}). */
  Ending awaitEnding(Duration timeout) throws InterruptedException {
    try {
      return ending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    }
  }

  @Override
  public void setInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void setErrorStream(OutputStream err) {
    this.err = err;
  }

  @Override
  public void setExitCallback(ExitCallback exit) {
    this.exit = exit;
  }

  @Override
  public void start(ChannelSession channel, Environment env) throws IOException {
    this.channel = channel;
    process = new ProcessBuilder("/bin/sh", "-c", command).start();
    Thread stdout = thread("remote-stdout", () -> copyOut(process.getInputStream(), out, true));
    Thread stderr = thread("remote-stderr", () -> copyOut(process.getErrorStream(), err, false));
    thread("remote-stdin", this::copyIn);
    thread("remote-wait", () -> {
      try {
        int code = process.waitFor();
        // All output goes out before the exit status, as sshd does.
        stdout.join(GRACE.toMillis());
        stderr.join(GRACE.toMillis());
        ending.complete(new Ending(code, killed));
        if (!dropped) {
          exit.onExit(code);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** The channel's input to the command, a line at a time, watching for the 'go' line. */
  private void copyIn() {
    OutputStream to = process.getOutputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try (InputStream from = new BufferedInputStream(in)) {
      int b;
      while ((b = from.read()) >= 0) {
        line.write(b);
        if (b != '\n') {
          continue;
        }
        boolean go = line.toString(StandardCharsets.US_ASCII).startsWith("go ");
        if (go && fault == Fault.DROP_AT_GO) {
          drop();
          break;
        }
        line.writeTo(to);
        to.flush();
        line.reset();
        goSeen |= go;
      }
    } catch (IOException e) {
      // the channel or the command went away: the input ends below
    }
    closeQuietly(to);
  }

  /**
   * The command's output to the channel. Once the channel is gone the rest is read and
   * dropped, so the command never blocks on a full pipe (sshd would close the pipe instead).
   */
  private void copyOut(InputStream from, OutputStream to, boolean isAnswer) {
    byte[] buf = new byte[8192];
    boolean open = true;
    try {
      int n;
      while ((n = from.read(buf)) >= 0) {
        if (!open || n == 0) {
          continue;
        }
        try {
          if (isAnswer && goSeen && fault == Fault.DROP_MID_ANSWER) {
            int part = Math.max(1, Math.min(n, 16));
            while (part > 0 && buf[part - 1] == '\n') {
              part--;
            }
            to.write(buf, 0, part);
            to.flush();
            Thread.sleep(200); // let those bytes reach the client before the drop
            drop();
            open = false;
            continue;
          }
          to.write(buf, 0, n);
          to.flush();
        } catch (IOException e) {
          open = false;
        }
      }
    } catch (IOException e) {
      // the command's pipe closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The host drops the connection: the TCP connection closes with no SSH goodbye. */
  private void drop() {
    dropped = true;
    channel.getSession().close(true);
  }

  /**
   * The channel closed (the exit was sent, or the connection went away): the command's input
   * ends, as with sshd; a command still running after {@link #GRACE} is killed, with its tree.
   */
  @Override
  public void destroy(ChannelSession channel) {
    if (process == null) {
      return;
    }
    closeQuietly(process.getOutputStream());
    thread("remote-reaper", () -> {
      try {
        if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Kills the command and everything it started, now. */
  void kill() {
    if (process != null && process.isAlive()) {
      killed = true;
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static void closeQuietly(OutputStream s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static Thread thread(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
