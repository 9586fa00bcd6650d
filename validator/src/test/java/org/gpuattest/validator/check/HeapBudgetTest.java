package org.gpuattest.validator.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.spec.SampledRows;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Workers;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heap that recomputations in flight share: however many threads ask, the leases held at
 * once fit the budget (counted, not timed), one larger than the budget still runs (alone), and
 * a verification whose budget holds one device at a time gives the verdict one thread gives.
 */
class HeapBudgetTest {
  private static final int KIB = 1024;

  @TempDir Path dir;

  /** Runs {@code items} leases of {@code bytes} on {@code threads} threads; the most at once. */
  private static int mostAtOnce(HeapBudget budget, int items, int threads, long bytes,
      CyclicBarrier together) throws InterruptedException {
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Workers.inOrder(IntStream.range(0, items).boxed().toList(), threads, i -> {
      try (HeapBudget.Lease lease = budget.lease(bytes)) {
        most.accumulateAndGet(holding.incrementAndGet(), Math::max);
        if (together != null) {
          together.await(60, TimeUnit.SECONDS); // a deadlock guard, not a timing
        }
        holding.decrementAndGet();
      } catch (BrokenBarrierException | TimeoutException e) {
        throw new AssertionError("fewer leases held at once than the budget allows", e);
      }
      return i;
    });
    return most.get();
  }

  @Test
  void lease_budgetForOne_neverTwoAtOnce() throws Exception {
    HeapBudget budget = new HeapBudget(3 * KIB);
    assertEquals(1, mostAtOnce(budget, 12, 4, 2 * KIB, null));
    assertEquals(2 * KIB, budget.peakBytes());
  }

  @Test
  void lease_budgetForTwo_twoAtOnceAndNoMore() throws Exception {
    HeapBudget budget = new HeapBudget(5 * KIB);
    // Each lease waits for a second one held beside it: it returns only if two fit at once.
    assertEquals(2, mostAtOnce(budget, 12, 6, 2 * KIB, new CyclicBarrier(2)));
    assertEquals(4 * KIB, budget.peakBytes());
  }

  @Test
  void lease_largerThanTheBudget_runsAlone() throws Exception {
    HeapBudget budget = new HeapBudget(4 * KIB);
    assertEquals(1, mostAtOnce(budget, 3, 3, 1 << 20, null));
    assertEquals(4 * KIB, budget.peakBytes());
  }

  @Test
  void verify_budgetHoldsOneDevice_sameVerdictAsOneThreadAndOneDeviceAtOnce()
      throws Exception {
    Harness h = new Harness(dir, 41);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST
        .flippedRows((g, t, i) -> g == 2 && i == 9)))
        .shape(new Harness.Shape(4, 64, 2, 4 * 2 * 64)).opened();
    Session s = run.sampled;
    MessageCodec.Decoded<Challenge> c = s.decodedChallenge();
    Evidence e = new Evidence(c.value(), c.bytes(), s.received(), s.decodedRequest(),
        run.commitment, run.openings, h.profiles, run.options(), s.clockStart());
    long oneDevice = SampledRows.bytesFor(2 * 64, 64);
    HeapBudget one = new HeapBudget(oneDevice * 3 / 2);
    Verdict sequential = new Verifier(new ReplayStore(dir.resolve("a")), h.clock).verify(e);
    Verdict parallel = new Verifier(new ReplayStore(dir.resolve("b")), h.clock, 4, one)
        .verify(e);
    assertEquals(sequential, parallel);
    assertTrue(parallel.check("openings.exact").message()
        .contains("first: device 2, iteration 0, row 9"), parallel.toString());
    assertTrue(one.peakBytes() >= oneDevice && one.peakBytes() < 2 * oneDevice,
        "one device's rows at a time: " + one.peakBytes());
  }

  @Test
  void verifier_threadsOutOfRange_refused() {
    for (int threads : List.of(0, -1, Workers.MAX_THREADS + 1)) {
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
          () -> new Verifier(new ReplayStore(dir), Clock.systemUTC(), threads));
      assertTrue(ex.getMessage().contains("threads must be in [1, 1024]"), ex.getMessage());
    }
  }
}
