package org.gpuattest.attestor;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.IterationResult;

/**
 * Runs all G devices together, one thread each, between three barriers: start (every B(g) is
 * ready), mid (every device is past iteration (T-1)/2) and end (every device is done). The
 * times each device passes them are what lets a validator see that the devices worked at the
 * same time rather than one after another. A failing device breaks the barriers, so the others
 * stop instead of waiting; nothing waits past the challenge's expiry; an interrupt of the
 * calling thread (the validator went away) stops every device, and returns once each device's
 * thread has left the device (or after a bound), so none is closed under a thread still in a
 * driver call. How far the devices are is
 * printed at a fixed interval ({@link ProgressReporter}).
 */
final class DeviceRun {
  record Outcome(byte[][] matrixRoots, Timing timing, SmMonitor monitor) {}

  private DeviceRun() {}

  static List<Outcome> runAll(List<Device> devices, Challenge c, PrintWriter progress,
      Instant deadline, Duration progressEvery) throws BackendException {
    ClockedWork.ran(ClockedWork.DEVICE_RUN);
    devices.forEach(d -> ClockedWork.ran(ClockedWork.deviceCode(d)));
    int g = devices.size();
    DeviceBarrier[] all = {new DeviceBarrier(g), new DeviceBarrier(g), new DeviceBarrier(g)};
    AtomicIntegerArray done = new AtomicIntegerArray(g);
    AtomicInteger started = new AtomicInteger();
    PhiloxKey key = c.philoxKey();
    return DeviceThreads.named("device",
            "interrupted while the devices were running; stopped them", DeviceRun::failure)
        .stopOthers(() -> {
          for (DeviceBarrier b : all) {
            b.breakBarrier(); // the others stop at their next barrier, early or late
          }
        })
        .stoppedBy(e -> e instanceof BrokenBarrierException)
        .reporting(() -> new ProgressReporter(progress, progressEvery,
            () -> status(done, started.get(), c.iterations())))
        .runAll(g, d -> runOne(devices.get(d), d, key, c, all, deadline, done, started));
  }

  /** Device d's own failure, other than a BackendException or a broken barrier. */
  private static BackendException failure(int d, Throwable e) {
    if (e instanceof TimeoutException) {
      return new BackendException("device " + d + ": the challenge expired before all"
          + " devices reached a barrier");
    }
    return new BackendException("device " + d + ": " + e, e);
  }

  /** One progress line: where the slowest and fastest devices are. */
  static String status(AtomicIntegerArray done, int started, int iterations) {
    int g = done.length();
    if (started < g) {
      return "preparing B(g) on " + (g == 1 ? "the device" : "all " + g + " devices")
          + " (" + started + " ready)";
    }
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int d = 0; d < g; d++) {
      min = Math.min(min, done.get(d));
      max = Math.max(max, done.get(d));
    }
    String range = min == max ? String.valueOf(min) : min + " to " + max;
    return range + " of " + iterations + " iterations done"
        + (g == 1 ? "" : " on each of " + g + " devices");
  }

  private static Outcome runOne(Device device, int g, PhiloxKey key, Challenge c,
      DeviceBarrier[] barriers, Instant deadline, AtomicIntegerArray done,
      AtomicInteger started) throws Exception {
    int n = c.dim();
    int iterations = c.iterations();
    device.prepare(key, g, n);
    started.incrementAndGet();
    long startNanos = await(barriers[0], deadline);
    long midNanos = 0;
    long kernelNanos = 0;
    byte[][] roots = new byte[iterations][];
    int midAfter = (iterations - 1) / 2;
    IterationBatches batches = new IterationBatches();
    int t = 0;
    while (t < iterations) {
      if (Thread.interrupted()) {
        throw new InterruptedException("stopped");
      }
      // A batch never crosses the mid barrier, which must be passed right after midAfter.
      int limit = t <= midAfter ? midAfter + 1 : iterations;
      int count = batches.next(limit - t);
      long began = System.nanoTime();
      List<IterationResult> results = device.iterate(t, count);
      long took = System.nanoTime() - began;
      if (results.size() != count) {
        throw new BackendException("device " + g + " returned " + results.size()
            + " results for " + count + " iterations");
      }
      batches.took(count, took);
      long batchKernelNanos = 0;
      for (IterationResult r : results) {
        roots[t] = r.matrixRoot();
        batchKernelNanos += r.kernelNanos();
        done.incrementAndGet(g);
        t++;
      }
      // An iteration's kernel time is its phases' sum, though on a GPU its hashing overlaps
      // the next iterations' products (several in flight): summed, they can exceed the time
      // that passed. The device's work of a batch lies inside this call, so its kernel time
      // is at most the call's; the validator holds kernelNanos to end - start (timing.barriers)
      // and to the loop's rate (timing.kernel, docs/protocol.md §8.3).
      kernelNanos += Math.min(batchKernelNanos, took);
      if (t == midAfter + 1) {
        midNanos = await(barriers[1], deadline);
      }
    }
    long endNanos = await(barriers[2], deadline);
    return new Outcome(roots, new Timing(startNanos, midNanos, endNanos, kernelNanos),
        device.monitor());
  }

  /** Waits at a barrier, no later than the deadline; returns the epoch time of passing it. */
  private static long await(DeviceBarrier barrier, Instant deadline)
      throws InterruptedException, BrokenBarrierException, TimeoutException {
    barrier.await(deadline);
    return epochNanos(Instant.now());
  }

  static long epochNanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
