package org.gpuattest.kernels.cuda;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A driver call of {@link FakeCudaDriver} held open ({@link FakeCudaDriver#holdAfterLaunchOf}),
 * and what was given back while it was: for testing a caller that must not close a device
 * while one of its threads is still inside a driver call, which an interrupt does not end.
 */
final class FakeCallHold {
  private volatile String entry;

  void arm(String entry) {
    this.entry = entry;
  }
  private final Set<Integer> armed = new HashSet<>();
  private int inCall;
  /** Counted down when a thread is inside the held call. */
  final CountDownLatch entered = new CountDownLatch(1);
  /** Counted down when the thread in the held call was interrupted. */
  final CountDownLatch interrupted = new CountDownLatch(1);
  /** Counts down to let the held call return. */
  final CountDownLatch release = new CountDownLatch(1);
  /** Frees, destroys and releases made while a thread was inside the held call. */
  final AtomicInteger teardownsDuringCall = new AtomicInteger();

  /** Called under the driver's lock. */
  void launched(String name, int ordinal) {
    if (name.equals(entry)) {
      armed.add(ordinal);
      entry = null;
    }
  }

  /** Called under the driver's lock. */
  void noteTeardown() {
    if (inCall > 0) {
      teardownsDuringCall.incrementAndGet();
    }
  }

  void holdIfArmed(int ordinal, Object lock) {
    synchronized (lock) {
      if (!armed.remove(ordinal)) {
        return;
      }
      inCall++;
    }
    entered.countDown();
    boolean wasInterrupted = false;
    while (true) {
      try {
        release.await();
        break;
      } catch (InterruptedException e) {
        wasInterrupted = true;
        interrupted.countDown();
      }
    }
    synchronized (lock) {
      inCall--;
    }
    if (wasInterrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
