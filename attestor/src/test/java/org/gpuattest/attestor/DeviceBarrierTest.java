package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class DeviceBarrierTest {
  @Test
  void await_afterBreak_lateArrivalFailsAtOnce() {
    DeviceBarrier b = new DeviceBarrier(2);
    b.breakBarrier();
    assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
        assertThrows(BrokenBarrierException.class,
            () -> b.await(Instant.now().plusSeconds(600))));
  }

  @Test
  void await_breakWhileWaiting_waiterWakes() {
    DeviceBarrier b = new DeviceBarrier(2);
    new Thread(() -> {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      b.breakBarrier();
    }).start();
    assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
        assertThrows(BrokenBarrierException.class,
            () -> b.await(Instant.now().plusSeconds(600))));
  }

  @Test
  void await_deadlinePasses_timesOut() {
    DeviceBarrier b = new DeviceBarrier(2);
    assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
        assertThrows(TimeoutException.class, () -> b.await(Instant.now().plusMillis(50))));
  }

  @Test
  void await_allArrive_everyonePasses() throws Exception {
    DeviceBarrier b = new DeviceBarrier(2);
    Thread other = new Thread(() -> {
      try {
        b.await(Instant.now().plusSeconds(10));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    other.start();
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> b.await(Instant.now().plusSeconds(10)));
    other.join(5000);
  }
}
