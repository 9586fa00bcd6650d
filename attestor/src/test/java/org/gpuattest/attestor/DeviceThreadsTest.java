package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.gpuattest.kernels.BackendException;
import org.junit.jupiter.api.Test;

/**
 * The per-device threads that DeviceRun, ResultCheck and MemoryPhase share: results in order of
 * g, the first failure in order of g with its device, "stopped" failures only when nothing
 * else failed, the others told to stop, and an interrupt that waits for the threads to leave.
 */
class DeviceThreadsTest {
  private static final long SAFETY_SECONDS = 60; // only against a hang; no timing is asserted

  private static final class Stopped extends Exception {}

  private static DeviceThreads threads() {
    return DeviceThreads.named("test", "interrupted in the test",
        (g, e) -> new BackendException("device " + g + " failed: " + e.getMessage(), e));
  }

  @Test
  void runAll_allSucceed_resultsInOrderOfDeviceEachOnItsOwnNamedThread() throws Exception {
    ConcurrentHashMap<Integer, String> names = new ConcurrentHashMap<>();
    List<Integer> results = threads().runAll(4, g -> {
      names.put(g, Thread.currentThread().getName());
      return g * 10;
    });
    assertEquals(List.of(0, 10, 20, 30), results);
    for (int g = 0; g < 4; g++) {
      assertEquals("test-" + g, names.get(g));
    }
  }

  @Test
  void runAll_taskWithoutResult_givesNulls() throws Exception {
    List<Object> results = threads().runAll(2, g -> null);
    assertEquals(2, results.size());
    assertTrue(results.stream().allMatch(r -> r == null));
  }

  @Test
  void runAll_twoDevicesFail_theFirstInOrderOfDeviceIsReadByTheFailure() {
    BackendException e = assertThrows(BackendException.class, () -> threads().runAll(3, g -> {
      if (g > 0) {
        throw new IllegalStateException("bad " + g);
      }
      return g;
    }));
    assertEquals("device 1 failed: bad 1", e.getMessage());
    assertEquals("bad 1", e.getCause().getMessage());
  }

  @Test
  void runAll_backendException_thrownAsItIs() {
    BackendException own = new BackendException("device 2: its own words");
    BackendException e = assertThrows(BackendException.class, () -> threads().runAll(3, g -> {
      if (g == 2) {
        throw own;
      }
      return g;
    }));
    assertSame(own, e);
  }

  @Test
  void runAll_failure_tellsTheOthersToStopAndTheirStopsAreNotTheReason() {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger stopCalls = new AtomicInteger();
    CountDownLatch failed = new CountDownLatch(1);
    BackendException e = assertThrows(BackendException.class, () -> threads()
        .stopOthers(() -> {
          stop.set(true);
          stopCalls.incrementAndGet();
          failed.countDown();
        })
        .stoppedBy(x -> x instanceof Stopped)
        .runAll(3, g -> {
          if (g == 2) {
            throw new IllegalStateException("bad 2");
          }
          assertTrue(failed.await(SAFETY_SECONDS, TimeUnit.SECONDS), "nothing failed");
          if (stop.get()) {
            throw new Stopped(); // devices 0 and 1, before device 2 in order of g
          }
          return g;
        }));
    assertEquals("device 2 failed: bad 2", e.getMessage());
    assertEquals(3, stopCalls.get(), "each failing thread tells the others");
  }

  @Test
  void runAll_onlyStops_reportsTheFirstStoppedDevice() {
    BackendException e = assertThrows(BackendException.class, () -> threads()
        .stoppedBy(x -> x instanceof Stopped)
        .runAll(3, g -> {
          if (g > 0) {
            throw new Stopped();
          }
          return g;
        }));
    assertEquals("device 1: stopped because another device failed", e.getMessage());
  }

  @Test
  void runAll_callerInterrupted_interruptsTheTasksWaitsForThemAndKeepsTheInterrupt()
      throws Exception {
    CountDownLatch entered = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger left = new AtomicInteger();
    AtomicInteger stopCalls = new AtomicInteger();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    AtomicInteger leftWhenReturned = new AtomicInteger(-1);
    Thread caller = new Thread(() -> {
      try {
        threads().stopOthers(stopCalls::incrementAndGet).runAll(2, g -> {
          entered.countDown();
          try {
            Thread.sleep(TimeUnit.SECONDS.toMillis(SAFETY_SECONDS));
          } catch (InterruptedException e) {
            // like a driver call, which an interrupt does not end: stay until released
            release.await(SAFETY_SECONDS, TimeUnit.SECONDS);
          }
          left.incrementAndGet();
          return g;
        });
      } catch (Throwable e) {
        thrown.set(e);
        leftWhenReturned.set(left.get());
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      }
    }, "caller");
    caller.start();
    assertTrue(entered.await(SAFETY_SECONDS, TimeUnit.SECONDS), "tasks not started");
    caller.interrupt();
    while (caller.getState() != Thread.State.TIMED_WAITING
        && caller.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait(); // the caller waits in awaitStopped's timed join
    }
    assertFalse(caller.getState() == Thread.State.TERMINATED, "returned before the tasks left");
    release.countDown();
    caller.join(TimeUnit.SECONDS.toMillis(SAFETY_SECONDS));
    assertEquals("interrupted in the test", thrown.get().getMessage());
    assertTrue(thrown.get() instanceof BackendException);
    assertEquals(2, leftWhenReturned.get(), "returned before both tasks left");
    assertTrue(stillInterrupted.get(), "the caller's interrupt was lost");
    assertEquals(1, stopCalls.get(), "the interrupt tells the tasks to stop once");
  }
}
