package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.IterationResult;
import org.gpuattest.kernels.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * Iterations go to a device in batches that grow while they are quick and shrink when slow,
 * and {@link DeviceRun} never lets a batch cross the mid barrier: the roots stay in order and
 * the mid barrier is passed right after iteration (T-1)/2.
 */
class IterationBatchesTest {
  @Test
  void next_quickBatches_doubleUpToTheCap() {
    IterationBatches b = new IterationBatches();
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = b.next(1000);
      sizes.add(n);
      b.took(n, 1_000_000); // 1 ms: quick
    }
    assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 64, 64, 64), sizes);
    assertEquals(3, b.next(3), "never more than is left");
  }

  @Test
  void took_slowBatch_halvesAndAShortBatchSaysNothing() {
    IterationBatches b = new IterationBatches();
    for (int i = 0; i < 4; i++) {
      b.took(b.next(100), 1_000_000);
    }
    assertEquals(16, b.next(100));
    b.took(3, 1_000_000_000L); // short batch (at a barrier): ignored
    assertEquals(16, b.next(100));
    b.took(16, 1_000_000_000L); // 1 s: slow
    assertEquals(8, b.next(100));
  }

  /** A CPU device that records each batch it is handed. */
  private static final class Recording extends ForwardingDevice {
    final List<int[]> batches = Collections.synchronizedList(new ArrayList<>());

    Recording(Device inner) {
      super(inner);
    }

    @Override
    public List<IterationResult> iterate(int first, int count) throws BackendException {
      batches.add(new int[] {first, count});
      return inner.iterate(first, count);
    }
  }

  @Test
  void runAll_batches_neverCrossTheMidBarrierAndKeepRootsInOrder() throws Exception {
    int iterations = 21; // mid barrier after t = 10
    var c = ProverTest.challenge(64, iterations, 1, Instant.now()).value();
    Recording d = new Recording(new CpuBackend(1).devices(1).get(0));
    DeviceRun.Outcome o = DeviceRun.runAll(List.of(d), c, new PrintWriter(new StringWriter()),
        Instant.now().plusSeconds(60), Duration.ofSeconds(2)).get(0);
    int next = 0;
    for (int[] b : d.batches) {
      assertEquals(next, b[0], "batches are consecutive");
      assertTrue(b[0] > 10 || b[0] + b[1] - 1 <= 10, "batch " + b[0] + "+" + b[1]
          + " crosses the mid barrier");
      next = b[0] + b[1];
    }
    assertEquals(iterations, next);
    assertTrue(d.batches.size() < iterations, "iterations were batched: " + d.batches.size());
    byte[][] expected = Reference.matrixRoots(c.philoxKey(), 0, 64, iterations);
    for (int t = 0; t < iterations; t++) {
      assertArrayEquals(expected[t], o.matrixRoots()[t], "r(0," + t + ")");
    }
    assertTrue(o.timing().midNanos() >= o.timing().startNanos()
        && o.timing().endNanos() >= o.timing().midNanos(), o.timing().toString());
  }
}
