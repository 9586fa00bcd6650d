package org.gpuattest.validator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.gpuattest.common.Limits;

/**
 * Runs one piece of work per item on at most {@code threads} threads and returns the results
 * in the items' order, whatever order they finish in: what a caller builds from them (a
 * verdict's text, its first failure) is then the same on any number of threads. With one
 * thread, or one item, the work runs on the caller's thread and no thread is created.
 *
 * <p>A failure inside the work is rethrown as itself on the caller's thread, the earliest in
 * the items' order first, as a sequential loop would throw it: an {@link OutOfMemoryError}
 * stays an {@link Error}, the validator's own fault, and never becomes a result. The pool's
 * threads are daemons and are stopped (interrupted) once the results are in or one failed.
 */
public final class Workers {
  /** The most threads a verification may use: more would only cost memory for their stacks. */
  public static final int MAX_THREADS = 1024;

  private static final AtomicInteger POOLS = new AtomicInteger();

  private Workers() {}

  /** One item's work; it may wait, interruptibly, for memory ({@code HeapBudget}). */
  @FunctionalInterface
  public interface Work<T, R> {
    R apply(T item) throws InterruptedException;
  }

  /**
   * @param threads at most this many items are worked on at once, 1 to {@link #MAX_THREADS}
   * @return one result per item, in the items' order
   * @throws InterruptedException the caller was interrupted while waiting; work not yet
   *     started is cancelled
   */
  public static <T, R> List<R> inOrder(List<T> items, int threads, Work<T, R> work)
      throws InterruptedException {
    Limits.range("threads", threads, 1, MAX_THREADS);
    int pool = Math.min(threads, items.size());
    List<R> out = new ArrayList<>(items.size());
    if (pool <= 1) {
      for (T item : items) {
        out.add(work.apply(item));
      }
      return out;
    }
    ExecutorService executor = Executors.newFixedThreadPool(pool, daemons());
    try {
      List<Future<R>> futures = new ArrayList<>(items.size());
      for (T item : items) {
        futures.add(executor.submit(() -> work.apply(item)));
      }
      for (Future<R> f : futures) {
        out.add(result(f));
      }
      return out;
    } finally {
      executor.shutdownNow();
    }
  }

  private static <R> R result(Future<R> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      if (cause instanceof InterruptedException ie) {
        throw ie;
      }
      throw new IllegalStateException("work failed: " + cause, cause); // Work throws no other
    }
  }

  private static ThreadFactory daemons() {
    int pool = POOLS.incrementAndGet();
    AtomicInteger thread = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "gpu-attest-verify-" + pool + "-" + thread.incrementAndGet());
      t.setDaemon(true); // a worker left recomputing never keeps the JVM from exiting
      return t;
    };
  }
}
