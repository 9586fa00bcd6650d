package org.gpuattest.validator;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.util.Printable;

/**
 * Runs one step of the prover for {@code validator attest}: the operator's command (a local
 * {@code java -jar attestor.jar}, or {@code ssh host /opt/attestor/bin/attestor}) with
 * {@code prove --challenge - --watch-stdin} or {@code open --request - --watch-stdin} appended.
 *
 * <ul>
 *   <li>The message is the first line of the prover's standard input, written by its own
 *       thread (a prover that never reads cannot stall the validator), and standard input stays
 *       open while the step runs: a prover watching it stops when the validator goes away,
 *       also at the far end of an ssh connection.
 *   <li>The answer is the first line of its standard output, read with a bound; it has
 *       arrived at the moment that line is complete on the validator's clock, however long
 *       the prover (or a child of it holding the pipe) takes to let go afterwards.
 *   <li>Its standard error is passed through line by line, each line marked {@code prover:}
 *       and with control characters escaped, so it cannot pose as the validator's output.
 *   <li>Everything the step started (the shell, the prover, their children) is stopped when
 *       the step ends, when it overruns its deadline, and when this JVM is stopped by a signal.
 * </ul>
 *
 * What the prover does wrong is a {@link ProverFailure}; only a failure to start the shell at
 * all is the validator's ({@link RuntimeFailureException}).
 */
public final class ProverProcess {
  /** The option that tells the prover to read one line and watch its standard input. */
  public static final String WATCH_STDIN = "--watch-stdin";
  /** How long a prover that has exited may take to finish writing its answer. */
  static final Duration DRAIN = Duration.ofSeconds(2);
  /** The longest stderr line passed through; the rest of a longer one is dropped. */
  static final int MAX_ERR_LINE = 2000;

  private final String command;
  private final PrintWriter err;
  private final Clock clock;

  /** What the prover answered, and when the answer was complete on the validator's clock. */
  public record Answer(String text, Instant receivedAt) {}

  public ProverProcess(String command, PrintWriter err, Clock clock) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("the prover command is empty");
    }
    this.command = command;
    this.err = err;
    this.clock = clock;
  }

  /**
   * Runs "CMD step flag - --watch-stdin" with {@code message} on its standard input.
   *
   * @param step "prove" or "open"
   * @throws ProverFailure the prover exited with an error, overran {@code timeout}, or wrote
   *     no usable line
   * @throws RuntimeFailureException the shell could not be started
   */
  public Answer call(String step, String flag, String message, Duration timeout)
      throws ProverFailure, RuntimeFailureException {
    ProcessTree tree = ProcessTree.startProver(command, List.of(step, flag, "-", WATCH_STDIN));
    Process p = tree.root();
    try {
      Thread stderr = daemon("prover-stderr", () -> passThrough(p.getErrorStream(), err));
      AnswerReader answer = new AnswerReader(p.getInputStream(), clock);
      daemon("prover-stdout", answer);
      daemon("prover-stdin", () -> send(p.getOutputStream(), message));
      int code = await(tree, step, timeout);
      joinQuietly(stderr); // its last lines belong before the validator's next ones
      ProcessTree.parkIfStopping(); // stopped with the validator: not the prover's failure
      if (code != 0) {
        throw new ProverFailure(ProverFailure.EXIT, step, "exit code " + code, "exit code 0",
            "The prover's '" + step + "' exited with code " + code + hint(code)
                + "; its standard error, marked 'prover:', says why.");
      }
      return answer.result(step, DRAIN);
    } finally {
      tree.stopAndForget();
    }
  }

  /** Waits for the prover to exit, noting its children as they appear; stops it at timeout. */
  private static int await(ProcessTree tree, String step, Duration timeout) throws ProverFailure {
    long deadline = System.nanoTime() + Math.max(1, timeout.toNanos());
    try {
      while (!tree.root().waitFor(100, TimeUnit.MILLISECONDS)) {
        tree.noteChildren();
        if (System.nanoTime() - deadline >= 0) {
          tree.stop();
          throw ProverFailure.timedOut(step, timeout, "finish");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProverFailure.interrupted(step);
    }
    return tree.root().exitValue();
  }

  /**
   * Stops every prover this JVM started that still runs, with everything it started, and
   * starts no other: for a command line stopped by a signal, which says so before it exits.
   * The shutdown hook does the same for a JVM that exits otherwise.
   *
   * @return how many provers were running
   */
  public static int stopEveryProver() {
    return ProcessTree.stopAll();
  }

  static String hint(int code) {
    return switch (code) {
      case 126 -> " (the shell could not run the prover command)";
      case 127 -> " (the shell found no such command: check the prover command)";
      // The verdict may be all an operator keeps: ssh's own failures (no connection, a host
      // that dropped it) are this code, and its stderr line alone would not say so there.
      case 255 -> " (ssh's code when its connection fails or drops, for a prover run over"
          + " ssh)";
      default -> "";
    };
  }

  /** Writes the message line and keeps the stream open: the prover's lifeline. */
  private static void send(OutputStream in, String message) {
    try {
      in.write(message.getBytes(StandardCharsets.US_ASCII));
      in.write('\n');
      in.flush();
    } catch (IOException e) {
      // The prover exited or closed its input without reading; its exit code says why.
    }
  }

  /** Copies the prover's stderr, a line (ended by LF only) at a time, 2000 bytes at most. */
  static void passThrough(InputStream from, PrintWriter err) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try (InputStream in = new BufferedInputStream(from)) {
      int b;
      while ((b = in.read()) >= 0) {
        if (b != '\n') {
          if (line.size() < MAX_ERR_LINE) {
            line.write(b);
          }
          continue;
        }
        show(line, err);
      }
    } catch (IOException e) {
      // The process ended; what was read is shown below.
    }
    if (line.size() > 0) {
      show(line, err);
    }
  }

  private static void show(ByteArrayOutputStream line, PrintWriter err) {
    String text = line.toString(StandardCharsets.UTF_8);
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    line.reset();
    synchronized (err) {
      err.println("prover: " + Printable.escape(text));
      err.flush();
    }
  }

  static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits at most {@link #DRAIN} for a pass-through to reach the end of its stream. */
  private static void joinQuietly(Thread t) {
    try {
      t.join(DRAIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
