package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.AttestationBatch.Item;
import org.gpuattest.validator.AttestationBatch.Outcome;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.gpuattest.validator.check.Evidence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Many attestations verified at once: outcomes in the items' order, an item's refusal kept as
 * its own outcome, and never more verifications at once than the threads allow, each given its
 * share of them (counted, not timed).
 */
class AttestationBatchTest {
  private static final long GUARD_SECONDS = 60;

  @TempDir Path dir;

  @Test
  void verifyAll_mixedBatch_outcomesInTheItemsOrder() throws Exception {
    Harness h = new Harness(dir, 51);
    List<Item> items = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      Cheats cheats = k == 2 ? Cheats.HONEST.flippedRows((g, t, i) -> g == 1 && i == 3)
          : Cheats.HONEST;
      Harness.Run run = h.run(h.prover(Hardware.H100, cheats)).opened();
      String openings = k == 3 ? "e30=" : MessageCodec.encode(run.openings); // "{}": no openings
      items.add(new Item(run.sampled, openings, run.options()));
      ids.add(run.sampled.decodedChallenge().value().id());
    }
    Validator v = new Validator(h.profiles, new ReplayStore(dir.resolve("batch")),
        Harness.seeded(1), h.clock, 3);
    List<Outcome> out = v.verifyAll(items);
    assertEquals(5, out.size());
    for (int k : List.of(0, 1, 4)) {
      assertTrue(out.get(k).passed(), () -> String.valueOf(out.get(k)));
      assertEquals(ids.get(k), out.get(k).verdict().challengeId());
    }
    assertEquals(ids.get(2), out.get(2).verdict().challengeId());
    assertFalse(out.get(2).passed());
    assertTrue(out.get(2).verdict().check("openings.exact").message()
        .contains("first: device 1, iteration 0, row 3"), out.get(2).toString());
    assertNull(out.get(3).verdict());
    assertTrue(out.get(3).error() instanceof BadMessageException, out.get(3).toString());
  }

  @Test
  void verifyAll_sameChallengeTwice_passesReplayOnce() throws Exception {
    Harness h = new Harness(dir, 52);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST)).opened();
    Item item = new Item(run.sampled, MessageCodec.encode(run.openings), run.options());
    Validator v = new Validator(h.profiles, new ReplayStore(dir.resolve("batch")),
        Harness.seeded(1), h.clock, 2);
    List<Outcome> out = v.verifyAll(List.of(item, item));
    assertEquals(1, out.stream().filter(Outcome::passed).count(), out.toString());
    assertEquals(1, out.stream().filter(o -> o.verdict().check("challenge.replay").failed())
        .count(), out.toString());
  }

  @Test
  void verifyAll_noItems_noOutcomes() throws Exception {
    Harness h = new Harness(dir, 53);
    assertEquals(List.of(), h.validator.verifyAll(List.of()));
  }

  /** Items told apart by their openings text; the verdict names it as its challenge id. */
  private static List<Item> numbered(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> new Item(null, "item-" + i, Evidence.Options.strict())).toList();
  }

  @ParameterizedTest(name = "{0} threads, {1} items: {2} at once, {3} threads each")
  @CsvSource({"2, 12, 2, 1", "3, 9, 3, 1", "8, 2, 2, 4", "8, 3, 3, 2", "1, 4, 1, 1"})
  void verifyAll_manyItems_neverMoreAtOnceThanTheThreads(int threads, int items, int atOnce,
      int each) throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Set<Integer> threadsEach = ConcurrentHashMap.newKeySet();
    CyclicBarrier together = new CyclicBarrier(atOnce); // trips only with atOnce running
    List<Outcome> out = AttestationBatch.verifyAll(numbered(items), threads, (item, t) -> {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      threadsEach.add(t);
      try {
        together.await(GUARD_SECONDS, TimeUnit.SECONDS); // a hang guard, not a timing
      } catch (Exception e) {
        throw new AssertionError("fewer than " + atOnce + " at once", e);
      }
      running.decrementAndGet();
      return Verdict.of(item.openings(), List.of());
    });
    assertEquals(atOnce, most.get());
    assertEquals(Set.of(each), threadsEach);
    assertTrue(atOnce * each <= threads, "more threads recompute than allowed");
    assertEquals(numbered(items).stream().map(Item::openings).toList(),
        out.stream().map(o -> o.verdict().challengeId()).toList());
  }

  /** The validator's own fault ends the batch as itself: it is no item's outcome. */
  @Test
  void verifyAll_outOfMemoryInAVerification_thrownNotAnOutcome() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class,
        () -> AttestationBatch.verifyAll(numbered(4), 4, (item, t) -> {
          if (item.openings().equals("item-2")) {
            throw oom;
          }
          return Verdict.of(item.openings(), List.of());
        }));
    assertSame(oom, thrown);
  }
}
