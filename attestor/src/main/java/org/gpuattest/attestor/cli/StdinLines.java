package org.gpuattest.attestor.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.message.MessageCodec;

/**
 * Standard input of the attest conversation (docs/protocol.md §3.2), read line by line on its
 * own thread: the validator's lines, and the lifeline of {@code --watch-stdin} at the same
 * time. When it closes, the validator has gone: the worker (waiting for a line or running the
 * work) is interrupted, and a prover that owns its JVM exits 3 if the work does not stop within
 * {@link StdinWatch#GRACE_MILLIS}, so no orphaned prover keeps a GPU busy.
 */
final class StdinLines implements AutoCloseable {
  /** A line too long to be any message: refused rather than held. */
  private static final String OVERSIZED = "\u0000oversized";
  private static final String END = "\u0000end";

  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private volatile boolean closed;
  private volatile boolean finished;

  private StdinLines() {}

  static StdinLines start(InputStream in, Thread worker, PrintWriter err, boolean ownsJvm) {
    StdinLines s = new StdinLines();
    Thread t = new Thread(() -> s.read(in, worker, err, ownsJvm), "stdin-lines");
    t.setDaemon(true);
    t.start();
    return s;
  }

  private void read(InputStream in, Thread worker, PrintWriter err, boolean ownsJvm) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean oversized = false;
    try {
      int b;
      while ((b = in.read()) >= 0) {
        if (b != '\n') {
          if (line.size() <= MessageCodec.MAX_TEXT_CHARS) {
            line.write(b);
          } else {
            oversized = true;
          }
          continue;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        lines.add(oversized ? OVERSIZED : text.endsWith("\r")
            ? text.substring(0, text.length() - 1) : text);
        line.reset();
        oversized = false;
      }
    } catch (IOException e) {
      // a broken pipe ends the lifeline as surely as end of file
    }
    if (finished) {
      lines.add(END);
      return;
    }
    closed = true;
    // Said before the end is queued, so this line always comes before the worker's own
    // "stopped: ..." error line, which it writes once it takes the end.
    synchronized (err) {
      err.println("attestor: standard input closed: the validator has gone away; stopping");
      err.flush();
    }
    lines.add(END);
    worker.interrupt();
    if (ownsJvm) {
      try {
        worker.join(StdinWatch.GRACE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      if (worker.isAlive() && !finished) {
        System.exit(ExitCodes.RUNTIME);
      }
    }
  }

  /**
   * The next line.
   *
   * @param expecting what the conversation waits for, for the error line
   * @throws RuntimeFailureException standard input closed first (exit 3)
   * @throws BadMessageException the line is longer than any message (exit 2)
   */
  String next(String expecting) throws RuntimeFailureException, BadMessageException {
    String line;
    try {
      line = lines.take();
    } catch (InterruptedException e) {
      line = END;
    }
    if (line.equals(END)) {
      throw stopped(expecting);
    }
    if (line.equals(OVERSIZED)) {
      throw new BadMessageException("conversation: a line longer than any message ("
          + MessageCodec.MAX_TEXT_CHARS + " characters) where " + expecting + " belongs");
    }
    return line;
  }

  /** Whether standard input closed: the validator went away. */
  boolean closed() {
    return closed;
  }

  static RuntimeFailureException stopped(String expecting) {
    return new RuntimeFailureException("stopped: standard input closed, so the validator has"
        + " gone away (while waiting for " + expecting + ")");
  }

  /** The conversation is over; the end of standard input means nothing any more. */
  @Override
  public void close() {
    finished = true;
  }
}
