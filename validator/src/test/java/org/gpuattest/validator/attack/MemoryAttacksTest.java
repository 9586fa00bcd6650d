package org.gpuattest.validator.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceMemoryRoots;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.attack.MemoryProver.Cheat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the memory phase (docs/soundness.md section 9), each through the whole exchange
 * of {@link MemoryHarness} against an honest baseline that passes all 21 checks: a kept product
 * altered, elements from a shortcut (unfused, or A x (B x v) without the product), passes keyed
 * before their previous root, made-up elements for a product not kept, a slow answer, and
 * memory roots that are stale, replayed, re-signed or altered. Each fails exactly the memory
 * check that catches it, or is refused as the prover's bad answer.
 */
class MemoryAttacksTest {
  static final List<String> ALL = new ArrayList<>(Verdicts.ALL_CHECKS);

  static {
    ALL.add("memory.window");
    ALL.add("memory.exact");
  }

  @TempDir Path dir;

  private static Set<String> failed(Verdict v) {
    return new TreeSet<>(v.checks().stream().filter(Check::failed).map(Check::name).toList());
  }

  private static void assertFailsOnly(Verdict v, String check, String fragment) {
    assertEquals(ALL, v.checks().stream().map(Check::name).toList());
    assertEquals(Set.of(check), failed(v), () -> Verdicts.describe(v));
    assertTrue(v.check(check).message().contains(fragment),
        () -> check + " should mention '" + fragment + "': " + v.check(check));
  }

  @Test
  void verify_honestMemoryPhase_passesAll21Checks() throws Exception {
    Verdict v = new MemoryHarness(dir, 1).run(Cheat.HONEST).verdict();
    assertEquals(ALL, v.checks().stream().map(Check::name).toList());
    assertEquals(Set.of(), failed(v), () -> Verdicts.describe(v));
    assertEquals(Check.PASS, v.check("memory.window").status());
    // T = 3 is under the H100's kept target, so all 3 are kept, and every row opened with a
    // pass: 2 devices x 3 x 64
    assertEquals("384/384 exact", v.check("memory.exact").measured());
  }

  @Test
  void verify_keptProductAltered_failsMemoryExact() throws Exception {
    Verdict v = new MemoryHarness(dir, 2).run(Cheat.ALTERED_PRODUCT).verdict();
    assertFailsOnly(v, "memory.exact", "did not stream the canonical products");
    assertTrue(v.check("memory.exact").message().contains("row 3, pass"),
        () -> v.check("memory.exact").message());
  }

  @Test
  void verify_unfusedElements_failMemoryExact() throws Exception {
    Verdict v = new MemoryHarness(dir, 3).run(Cheat.UNFUSED).verdict();
    assertFailsOnly(v, "memory.exact", "sent,");
  }

  /** A x (B x v) needs no kept product, and its bits are not the chain's. */
  @Test
  void verify_elementsFromAShortcutWithoutTheProduct_failMemoryExact() throws Exception {
    Verdict v = new MemoryHarness(dir, 4).run(Cheat.REASSOCIATED).verdict();
    assertFailsOnly(v, "memory.exact", "sent,");
  }

  /**
   * A pass cannot start before the previous pass's root: its vector is keyed by that root, so a
   * prover that keys every pass by R(g) (all passes at once, each product read once) answers
   * with the vectors of other keys, and every pass but the first fails.
   */
  @Test
  void verify_passesKeyedBeforeTheirPreviousRoot_failMemoryExact() throws Exception {
    Verdict v = new MemoryHarness(dir, 5).run(Cheat.KEYED_FROM_DEVICE_ROOT).verdict();
    assertFailsOnly(v, "memory.exact", "sent,");
  }

  /** The key of pass p is a function of m_{p-1}(g): another root, another vector. */
  @Test
  void vector_ofAPass_dependsOnThePreviousPassesRoot() {
    byte[] seed = new byte[32];
    byte[] root = new byte[32];
    double[] v = MemoryPass.vector(seed, 0, 1, root, 64);
    root[31] ^= 1;
    double[] w = MemoryPass.vector(seed, 0, 1, root, 64);
    int same = 0;
    for (int j = 0; j < 64; j++) {
      same += v[j] == w[j] ? 1 : 0;
    }
    assertEquals(0, same, "one bit of the previous root changes every element");
  }

  @Test
  void verify_madeUpElementsForAProductNotKept_failMemoryExact() throws Exception {
    Verdict v = new MemoryHarness(dir, 6).run(Cheat.MADE_UP_VECTOR).verdict();
    assertFailsOnly(v, "memory.exact", "sent,");
    // a third of the opened elements (the last kept iteration's) are made up
    assertEquals("256/384 exact", v.check("memory.exact").measured());
  }

  /** Honest elements too late: products recomputed or fetched meanwhile. */
  @Test
  void verify_memoryRootsAfterTheWindow_failMemoryWindow() throws Exception {
    Verdict v = new MemoryHarness(dir, 7).run(Cheat.HONEST)
        .memoryElapsed(Duration.ofMillis(300)).verdict();
    assertFailsOnly(v, "memory.window", "recomputed, read from elsewhere, or never kept");
  }

  @Test
  void sampleMemory_rootsForAnotherSeed_isRefusedAsStale() throws Exception {
    MemoryHarness m = new MemoryHarness(dir, 8);
    MemoryHarness.Run run = m.run(Cheat.HONEST).toMemorySeed();
    MemoryRoots stale = new MemoryProver(m.harness().proverKey, Cheat.HONEST).answer(
        run.committed.decodedChallenge().value(), run.commitment,
        new org.gpuattest.common.message.MemorySeed(1, run.commitment.commitmentDigest(),
            "11".repeat(32)));
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> m.harness().validator.sampleMemory(run.memorySent, MessageCodec.encode(stale),
            m.harness().clock.instant()));
    assertTrue(e.getMessage().contains("a stale or replayed answer"), e.getMessage());
  }

  /** The memory roots of an earlier exchange, sent for a new one. */
  @Test
  void sampleMemory_rootsOfAnotherExchange_areRefused() throws Exception {
    MemoryHarness m = new MemoryHarness(dir, 9);
    MemoryHarness.Run first = m.run(Cheat.HONEST);
    first.verdict();
    MemoryHarness.Run second = m.run(Cheat.HONEST).toMemorySeed();
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> m.harness().validator.sampleMemory(second.memorySent,
            MessageCodec.encode(first.roots), m.harness().clock.instant()));
    assertTrue(e.getMessage().contains("they answer another challenge or commitment"),
        e.getMessage());
  }

  /** A tampered session store swapping in other roots, validly signed, for another seed. */
  @Test
  void verify_sessionHoldingRootsForAnotherSeed_failsMemoryExact() throws Exception {
    MemoryHarness m = new MemoryHarness(dir, 10);
    Verdict v = m.run(Cheat.HONEST).sampledSession(s -> new Session(s.version(), s.challenge(),
        s.issuedAt(), s.commitment(), s.receivedAt(), s.samplingSeed(), s.request(),
        s.goSentAt(), s.roundTripNanos(), "22".repeat(32), s.memorySentAt(), s.memoryRoots(),
        s.memoryReceivedAt())).verdict();
    assertFailsOnly(v, "memory.exact", "another memory seed than the one sent");
  }

  @Test
  void verify_memoryRootsSignedByAnotherKey_failMemoryExact() throws Exception {
    MemoryHarness m = new MemoryHarness(dir, 11);
    Verdict v = m.run(Cheat.HONEST).roots(r -> MemoryRoots.sign(
        hex(r.challengeDigest()), hex(r.commitmentDigest()), hex(r.memorySeed()),
        bytes(r), Harness.key("someone else"))).verdict();
    assertFailsOnly(v, "memory.exact", "not the commitment's");
  }

  @Test
  void verify_memoryRootAlteredAfterSigning_failsMemoryExact() throws Exception {
    MemoryHarness m = new MemoryHarness(dir, 12);
    Verdict v = m.run(Cheat.HONEST).roots(r -> {
      List<DeviceMemoryRoots> devices = new ArrayList<>(r.devices());
      List<String> roots = new ArrayList<>(devices.get(1).roots());
      roots.set(0, "33".repeat(32));
      devices.set(1, new DeviceMemoryRoots(1, roots));
      return new MemoryRoots(1, r.challengeDigest(), r.commitmentDigest(), r.memorySeed(),
          devices, r.memoryDigest(), r.proverPublicKey(), r.signature());
    }).verdict();
    assertFailsOnly(v, "memory.exact", "is not");
    assertNotEquals(Check.PASS, v.check("memory.exact").status());
    assertFalse(v.passed());
  }

  private static byte[] hex(String s) {
    return org.gpuattest.common.util.Hex.decode("digest", s, 32);
  }

  private static byte[][][] bytes(MemoryRoots r) {
    byte[][][] out = new byte[r.devices().size()][][];
    for (int g = 0; g < out.length; g++) {
      out[g] = r.devices().get(g).rootBytes();
    }
    return out;
  }
}
