package org.gpuattest.attestor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.RuntimeFailureException;

/**
 * The prover's side of the lifeline that {@code validator attest} holds ({@code --watch-stdin}):
 * after the message line, standard input stays open while the validator waits, so its end
 * means the validator has gone (killed, or its ssh connection dropped). The work is then
 * interrupted; a prover that owns its JVM exits if the work does not stop within
 * {@link #GRACE_MILLIS}, so no orphaned prover keeps a GPU busy.
 */
final class StdinWatch implements AutoCloseable {
  static final long GRACE_MILLIS = 10_000;

  private volatile boolean finished;
  private volatile boolean closed;

  private StdinWatch() {}

  /** No watch: the message came from a file or the command line. */
  static StdinWatch none() {
    return new StdinWatch();
  }

  /**
   * Starts watching {@code in} for its end on behalf of {@code worker}, the thread doing the
   * work.
   *
   * @param ownsJvm whether the prover may end the JVM (false when run in-process, in tests)
   */
  static StdinWatch start(InputStream in, Thread worker, PrintWriter err, boolean ownsJvm) {
    StdinWatch w = new StdinWatch();
    Thread t = new Thread(() -> {
      try {
        while (in.read() >= 0) {
          // anything after the message line is not for us
        }
      } catch (IOException e) {
        // a broken pipe ends the lifeline as surely as end of file
      }
      if (w.finished) {
        return;
      }
      w.closed = true;
      synchronized (err) {
        err.println("attestor: standard input closed: the validator has gone away; stopping");
        err.flush();
      }
      worker.interrupt();
      if (ownsJvm) {
        try {
          worker.join(GRACE_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        if (worker.isAlive() && !w.finished) {
          System.exit(ExitCodes.RUNTIME);
        }
      }
    }, "stdin-watch");
    t.setDaemon(true);
    t.start();
    return w;
  }

  /** The work that the watch may stop. */
  @FunctionalInterface
  interface Work<T> {
    T run() throws Exception;
  }

  /**
   * Runs the work; if it fails because standard input closed, says so instead of whatever
   * the interrupted work said.
   */
  <T> T guard(Work<T> work) throws Exception {
    try {
      return work.run();
    } catch (Exception e) {
      if (closed) {
        throw new RuntimeFailureException("stopped: standard input closed, so the validator"
            + " has gone away");
      }
      throw e;
    }
  }

  /** The work is over; the end of standard input means nothing any more. */
  @Override
  public void close() {
    finished = true;
  }
}
