package org.gpuattest.attestor;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Prints how the work stands at a fixed interval, whatever the work's shape: a long iteration
 * (n = 16384 on a slow device) or a long run of short ones, so a person or a validator watching
 * stderr always sees the prover is alive. One daemon thread, stopped by {@link #close}.
 */
public final class ProgressReporter implements AutoCloseable {
  /** The longest a prover stays silent while it works. */
  public static final Duration EVERY = Duration.ofSeconds(2);

  private final Thread thread;

  /**
   * @param status what to print, asked for at each tick, e.g. "12 of 80 iterations done"
   */
  public ProgressReporter(PrintWriter out, Duration every, Supplier<String> status) {
    long start = System.nanoTime();
    thread = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(every.toMillis());
          long seconds = (System.nanoTime() - start) / 1_000_000_000L;
          String line = "attestor: " + status.get() + " (" + seconds + " s)";
          synchronized (out) {
            out.println(line);
            out.flush();
          }
        }
      } catch (InterruptedException e) {
        // closed
      }
    }, "progress");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
