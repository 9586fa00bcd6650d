package org.gpuattest.validator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.message.MessageCodec;

/**
 * Runs the prover for {@code validator attest}: the operator's command (a local
 * {@code java -jar attestor.jar} or {@code ssh host /opt/attestor/bin/attestor}) with
 * {@code prove} or {@code open} appended, the message on its stdin, its stdout read as the
 * answer (bounded), its stderr passed through. A prover that outlives its deadline is killed.
 */
public final class ProverProcess {
  private final String command;
  private final PrintWriter err;

  public ProverProcess(String command, PrintWriter err) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("--prover: the command is empty");
    }
    this.command = command;
    this.err = err;
  }

  /** Runs "CMD sub --flag -" with the message on stdin and returns its stdout. */
  public String call(String sub, String flag, String message, Duration timeout)
      throws RuntimeFailureException {
    // sh expands CMD as the operator wrote it; the appended words pass through "$@" untouched.
    ProcessBuilder pb = new ProcessBuilder(
        List.of("/bin/sh", "-c", command + " \"$@\"", "attestor", sub, flag, "-"));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new RuntimeFailureException("--prover: cannot start '" + command + "': "
          + e.getMessage());
    }
    Thread errPump = pump(p.getErrorStream(), null);
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Thread outPump = pump(p.getInputStream(), stdout);
    try (OutputStream in = p.getOutputStream()) {
      in.write(message.getBytes(StandardCharsets.US_ASCII));
      in.write('\n');
    } catch (IOException e) {
      // The prover may exit without reading; its exit code says why.
    }
    try {
      if (!p.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new RuntimeFailureException("prover '" + sub + "' did not finish within "
            + timeout.toSeconds() + " s; killed");
      }
      // A grandchild may hold the pipes open after the prover exits; wait a bounded time.
      outPump.join(10_000);
      errPump.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new RuntimeFailureException("interrupted while the prover ran");
    }
    if (p.exitValue() != 0) {
      throw new RuntimeFailureException("prover '" + sub + "' exited with code "
          + p.exitValue() + " (its stderr is above)");
    }
    if (stdout.size() > MessageCodec.MAX_TEXT_CHARS) {
      throw new RuntimeFailureException("prover '" + sub + "' wrote more than the message limit");
    }
    return stdout.toString(StandardCharsets.US_ASCII);
  }

  private Thread pump(InputStream from, ByteArrayOutputStream to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = from.read(buf)) > 0) {
          if (to != null) {
            if (to.size() <= MessageCodec.MAX_TEXT_CHARS) {
              to.write(buf, 0, n);
            }
          } else {
            synchronized (err) {
              err.write(new String(buf, 0, n, StandardCharsets.UTF_8));
              err.flush();
            }
          }
        }
      } catch (IOException e) {
        // The process ended; what was read is what there is.
      }
    }, "prover-" + (to == null ? "stderr" : "stdout"));
    t.setDaemon(true);
    t.start();
    return t;
  }
}
