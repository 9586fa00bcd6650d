package org.gpuattest.attestor;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

/**
 * A single-use barrier for G device threads that, once broken, stays broken. A
 * {@link java.util.concurrent.CyclicBarrier} reset only wakes the threads already waiting; a
 * device arriving later would wait on a fresh generation until the deadline. Here a failing
 * device breaks the barrier for everyone, early or late.
 */
final class DeviceBarrier {
  private final int parties;
  private int arrived;
  private boolean broken;

  DeviceBarrier(int parties) {
    this.parties = parties;
  }

  /** Waits until all parties arrive; throws if the barrier breaks or the deadline passes. */
  synchronized void await(Instant deadline)
      throws InterruptedException, BrokenBarrierException, TimeoutException {
    if (broken) {
      throw new BrokenBarrierException();
    }
    arrived++;
    if (arrived == parties) {
      notifyAll();
      return;
    }
    while (arrived < parties && !broken) {
      long left = Duration.between(Instant.now(), deadline).toMillis();
      if (left <= 0) {
        breakBarrier();
        throw new TimeoutException("deadline passed at a barrier");
      }
      wait(left);
    }
    if (arrived < parties) {
      throw new BrokenBarrierException();
    }
  }

  synchronized void breakBarrier() {
    broken = true;
    notifyAll();
  }
}
