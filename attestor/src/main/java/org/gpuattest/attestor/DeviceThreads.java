package org.gpuattest.attestor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.gpuattest.kernels.BackendException;

/**
 * Runs one task per device, each on its own daemon thread, waits for them all and surfaces the
 * first failure in order of g with its device: the shape the device run ({@link DeviceRun}),
 * the spot check ({@link ResultCheck}) and the memory phase ({@link MemoryPhase}) share. A
 * failing task calls {@link #stopOthers} on its own thread, so the others stop early; an
 * interrupt of the calling thread (the validator went away) interrupts every task and returns
 * only once their threads have left the devices (or after a bound), so the caller never closes
 * a device under a thread still in a driver call.
 *
 * <p>Configured by its callers with the withers below, then {@link #runAll} once.
 */
final class DeviceThreads {
  /** Device g's share of the work. */
  @FunctionalInterface
  interface Task<T> {
    T run(int g) throws Exception;
  }

  /** The exception that reports device g's failure {@code e} (not a BackendException). */
  @FunctionalInterface
  interface Failure {
    BackendException of(int g, Throwable e);
  }

  /** How long {@link #awaitStopped} waits for interrupted threads at most. */
  private static final long STOP_WAIT_NANOS = 10_000_000_000L;

  private final String name;
  private final String interrupted;
  private final Failure failure;
  private final Runnable stopOthers;
  private final Predicate<Throwable> stopped;
  private final Supplier<ProgressReporter> reporter;

  private DeviceThreads(String name, String interrupted, Failure failure, Runnable stopOthers,
      Predicate<Throwable> stopped, Supplier<ProgressReporter> reporter) {
    this.name = name;
    this.interrupted = interrupted;
    this.failure = failure;
    this.stopOthers = stopOthers;
    this.stopped = stopped;
    this.reporter = reporter;
  }

  /**
   * @param name the threads' name, "-g" appended: "device" gives device-0, device-1, ...
   * @param interrupted the message when the calling thread is interrupted while it waits
   * @param failure how a device's failure other than a {@link BackendException} reads
   */
  static DeviceThreads named(String name, String interrupted, Failure failure) {
    return new DeviceThreads(name, interrupted, failure, () -> {}, e -> false, () -> null);
  }

  /** Called by a failing task's thread, and on an interrupt: tells the others to stop early. */
  DeviceThreads stopOthers(Runnable stop) {
    return new DeviceThreads(name, interrupted, failure, stop, stopped, reporter);
  }

  /**
   * Which failures only say that the device stopped because another failed: they are reported
   * as such, and only when no device failed otherwise.
   */
  DeviceThreads stoppedBy(Predicate<Throwable> stop) {
    return new DeviceThreads(name, interrupted, failure, stopOthers, stop, reporter);
  }

  /** Started once every thread is, closed as soon as they are all done or interrupted. */
  DeviceThreads reporting(Supplier<ProgressReporter> progress) {
    return new DeviceThreads(name, interrupted, failure, stopOthers, stopped, progress);
  }

  /**
   * Runs {@code task} for g = 0 to devices - 1 at once and waits for all of them.
   *
   * @return each device's result, device g at index g
   * @throws BackendException the first device's (in order of g) own failure, as it threw it if
   *     a BackendException, else as {@link Failure} reads it; else "device g: stopped because
   *     another device failed" for the first that stopped; or the interrupted message
   */
  <T> List<T> runAll(int devices, Task<T> task) throws BackendException {
    Object[] results = new Object[devices];
    Throwable[] errors = new Throwable[devices];
    List<Thread> threads = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      int index = d;
      Thread t = new Thread(() -> {
        try {
          results[index] = task.run(index);
        } catch (Throwable e) {
          errors[index] = e;
          stopOthers.run();
        }
      }, name + "-" + d);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    try (ProgressReporter progress = reporter.get()) {
      for (Thread t : threads) {
        t.join();
      }
    } catch (InterruptedException e) {
      threads.forEach(Thread::interrupt);
      stopOthers.run();
      // The caller closes the devices next: not while a thread is still in a driver call,
      // which an interrupt does not end (a batch's wait ends within about a second).
      awaitStopped(threads);
      Thread.currentThread().interrupt();
      throw new BackendException(interrupted);
    }
    for (int d = 0; d < devices; d++) {
      Throwable e = errors[d];
      if (e instanceof BackendException be) {
        throw be;
      }
      if (e != null && !stopped.test(e)) {
        throw failure.of(d, e);
      }
    }
    for (int d = 0; d < devices; d++) {
      if (errors[d] != null) {
        throw new BackendException("device " + d + ": stopped because another device failed");
      }
    }
    @SuppressWarnings("unchecked") // each slot holds the T its task returned
    List<T> all = (List<T>) Arrays.asList(results);
    return Collections.unmodifiableList(all); // a task of no result returns null
  }

  /**
   * Waits a little (10 s at most) for interrupted device threads, which stop after the device
   * call they are in.
   */
  static void awaitStopped(List<Thread> threads) {
    long until = System.nanoTime() + STOP_WAIT_NANOS;
    for (Thread t : threads) {
      while (t.isAlive() && System.nanoTime() < until) {
        try {
          t.join(100);
        } catch (InterruptedException again) {
          // keep waiting; the interrupt is restored by the caller
        }
      }
    }
  }
}
