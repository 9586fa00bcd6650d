package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.IterationResult;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.junit.jupiter.api.Test;

/**
 * DeviceRun's kernel time, and DeviceRun interrupted (the validator went away) while a device's thread is inside a driver
 * call, which an interrupt does not end: it returns only once that thread has left the call,
 * so the devices its caller closes next are not freed under it. Over the fake driver, whose
 * wait after the first Merkle-root launch blocks until the test lets it go; the fake counts
 * what is freed, destroyed or released while a thread is still inside that call.
 */
class DeviceRunTest {
  private static final long SAFETY_SECONDS = 60; // only against a hang; no timing is asserted

  @Test
  void runAll_interruptedDuringADriverCall_returnsOnlyAfterTheThreadLeftIt() throws Exception {
    CudaFakes.Held held = CudaFakes.holding("merkle_root", 1L << 30);
    Challenge c = ProverTest.challenge(64, 40, 1, Instant.now()).value();
    List<Device> devices = held.backend().devices(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread runner = new Thread(() -> {
      try {
        DeviceRun.runAll(devices, c, new PrintWriter(new StringWriter()),
            Instant.now().plusSeconds(600), Duration.ofSeconds(60));
      } catch (Throwable e) {
        thrown.set(e);
      } finally {
        devices.forEach(Device::close); // what PreparedRun does after a failed run
      }
    }, "runner");
    runner.start();
    assertTrue(held.entered().await(SAFETY_SECONDS, TimeUnit.SECONDS), "no held call");
    runner.interrupt();
    // runAll has interrupted the device thread; from here it either returns (and the runner
    // closes the device at once) or waits for that thread, in a timed join.
    assertTrue(held.interrupted().await(SAFETY_SECONDS, TimeUnit.SECONDS), "not interrupted");
    while (runner.getState() != Thread.State.TERMINATED
        && runner.getState() != Thread.State.TIMED_WAITING) {
      Thread.onSpinWait();
    }
    held.release().countDown();
    runner.join(TimeUnit.SECONDS.toMillis(SAFETY_SECONDS));
    assertTrue(thrown.get() instanceof BackendException, String.valueOf(thrown.get()));
    assertTrue(thrown.get().getMessage().contains("interrupted"), thrown.get().getMessage());
    assertEquals(0, held.teardownsDuringCall().getAsInt(),
        "the device was closed while its thread was still in a driver call");
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, held.live().get());
  }

  /**
   * On a GPU an iteration's hashing runs beside the next iterations' products, so the phases'
   * times (each from its own events) add up to more than the loop took. The commitment's
   * kernelNanos must still fit between the device's barriers, as timing.barriers requires
   * (kernel time <= end - start + 50 ms, docs/protocol.md §8.3): here every iteration
   * reports a second of overlapping phases while the whole run takes milliseconds.
   */
  @Test
  void runAll_phasesOverlappingAcrossIterations_kernelTimeFitsBetweenTheBarriers()
      throws Exception {
    Challenge c = ProverTest.challenge(64, 4, 2, Instant.now()).value();
    List<Device> devices = FakeBackend.honest(2).devices(2).stream()
        .map(d -> (Device) new Overlapping(d)).toList();
    List<DeviceRun.Outcome> outcomes = DeviceRun.runAll(devices, c,
        new PrintWriter(new StringWriter()), Instant.now().plusSeconds(600),
        Duration.ofSeconds(60));
    for (DeviceRun.Outcome o : outcomes) {
      Timing t = o.timing();
      assertTrue(t.kernelNanos() <= t.endNanos() - t.startNanos() + 50_000_000L,
          () -> "kernel " + t.kernelNanos() + " ns, run " + (t.endNanos() - t.startNanos())
              + " ns");
      assertTrue(t.kernelNanos() > 0, "the devices' own figure, capped, not dropped");
    }
  }

  /** A device whose iterations each report one second of phases that overlap the others. */
  private static final class Overlapping extends ForwardingDevice {
    Overlapping(Device inner) {
      super(inner);
    }

    @Override
    public IterationResult iterate(int t) throws BackendException {
      return new IterationResult(inner.iterate(t).matrixRoot(), 1_000_000_000L);
    }
  }

}
