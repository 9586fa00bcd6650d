package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Work on several threads: results in the items' order whatever order they finish in, never
 * more at once than asked (counted, not timed), one thread without a thread created, and a
 * worker's failure rethrown as itself. Waits have long limits that only guard against a hang.
 */
class WorkersTest {
  private static final long GUARD_SECONDS = 60;

  private static List<Integer> items(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @Test
  void oneThread_runsOnTheCallersThread() throws Exception {
    Set<Thread> ran = ConcurrentHashMap.newKeySet();
    List<Integer> out = Workers.inOrder(items(5), 1, i -> {
      ran.add(Thread.currentThread());
      return i * 10;
    });
    assertEquals(List.of(0, 10, 20, 30, 40), out);
    assertEquals(Set.of(Thread.currentThread()), ran);
  }

  @Test
  void oneItem_runsOnTheCallersThreadWhateverTheThreads() throws Exception {
    AtomicReference<Thread> ran = new AtomicReference<>();
    Workers.inOrder(items(1), 8, i -> {
      ran.set(Thread.currentThread());
      return i;
    });
    assertSame(Thread.currentThread(), ran.get());
  }

  @Test
  void laterItemsFinishFirst_resultsInTheItemsOrder() throws Exception {
    CountDownLatch lastDone = new CountDownLatch(1);
    List<String> out = Workers.inOrder(items(4), 4, i -> {
      if (i == 0) {
        assertTrue(lastDone.await(GUARD_SECONDS, TimeUnit.SECONDS));
      }
      if (i == 3) {
        lastDone.countDown();
      }
      return "item " + i;
    });
    assertEquals(List.of("item 0", "item 1", "item 2", "item 3"), out);
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {2, 3, 5})
  void manyItems_neverMoreAtOnceThanTheThreads(int threads) throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CyclicBarrier together = new CyclicBarrier(threads); // trips only with `threads` at once
    List<Integer> out = Workers.inOrder(items(threads * 7), threads, i -> {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        together.await(GUARD_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("fewer than " + threads + " at once", e);
      }
      running.decrementAndGet();
      return i;
    });
    assertEquals(items(threads * 7), out);
    assertEquals(threads, most.get());
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 4})
  void workerRunsOutOfMemory_theSameErrorOnTheCallersThread(int threads) {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class,
        () -> Workers.inOrder(items(4), threads, i -> {
          if (i == 1) {
            throw oom;
          }
          if (i == 3) {
            throw new IllegalStateException("a later item's failure");
          }
          return i;
        }));
    assertSame(oom, thrown, "the earliest failure in the items' order, as itself");
  }

  @Test
  void callerInterrupted_interruptedExceptionAndWorkersStopped() throws Exception {
    CountDownLatch started = new CountDownLatch(2);
    CountDownLatch stopped = new CountDownLatch(2);
    AtomicReference<Throwable> callerGot = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        Workers.inOrder(items(2), 2, i -> {
          started.countDown();
          try {
            new CountDownLatch(1).await(); // until interrupted
          } finally {
            stopped.countDown();
          }
          return i;
        });
      } catch (Throwable t) {
        callerGot.set(t);
      }
    });
    caller.start();
    assertTrue(started.await(GUARD_SECONDS, TimeUnit.SECONDS));
    caller.interrupt();
    caller.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
    assertTrue(callerGot.get() instanceof InterruptedException, String.valueOf(callerGot));
    assertTrue(stopped.await(GUARD_SECONDS, TimeUnit.SECONDS), "workers left running");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {0, -1, Workers.MAX_THREADS + 1})
  void threadsOutOfRange_refused(int threads) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Workers.inOrder(items(2), threads, i -> i));
    assertTrue(e.getMessage().contains("threads must be in [1, " + Workers.MAX_THREADS + "]"),
        e.getMessage());
  }
}
