package org.gpuattest.validator.attack;

import static org.gpuattest.validator.attack.Verdicts.assertFailsOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.attack.Harness.Shape;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the computation itself (canonical-v1, "Product" and "Opening and checking"):
 * work skipped, bits changed, another precision or summation order, or audit paths that do
 * not lead to the committed roots. Every shape here opens all G x T x n rows, so one wrong row
 * is always caught; each test names the first failing row the validator must report.
 */
class OpeningAttacksTest {
  static final Shape SHAPE = Shape.SMALL; // G = 2, n = 64, T = 2, all 256 rows opened
  static final int N = SHAPE.dim();
  static final int T = SHAPE.iterations();

  @TempDir Path dir;

  private Verdict attest(Cheats cheats) throws Exception {
    Harness h = new Harness(dir, 11);
    return h.run(h.prover(Hardware.H100, cheats)).shape(SHAPE).verdict();
  }

  /** Position of sample (g, t, i) in a request that opens every row. */
  static int index(int g, int t, int i) {
    return (g * T + t) * N + i;
  }

  @Test
  void verify_skippedIteration_failsOpeningsExact() throws Exception {
    // r(1, 0) is random; rows of the honest C(1, 0) are opened against it when asked.
    Verdict v = attest(Cheats.HONEST.skippedMatrices((g, t, i) -> g == 1 && t == 0, false));
    assertFailsOnly(v, "device 1, iteration 0, row 0 (row in r(g,t))", "openings.exact");
    assertEquals("192/256 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_skippedIterationOpenedWithRecomputedRoot_failsOpeningsExact() throws Exception {
    // The row paths reach the honest r(1, 0); its path to R(1) cannot.
    Verdict v = attest(Cheats.HONEST.skippedMatrices((g, t, i) -> g == 1 && t == 0, true));
    assertFailsOnly(v, "device 1, iteration 0, row 0 (r(g,t) in R(g))", "openings.exact");
    assertEquals("192/256 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_allIterationsOfOneDeviceSkipped_failsOpeningsExact() throws Exception {
    Verdict v = attest(Cheats.HONEST.skippedMatrices((g, t, i) -> g == 0, false));
    assertFailsOnly(v, "device 0, iteration 0, row 0 (row in r(g,t))", "openings.exact");
    assertEquals("128/256 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_oneLastBitFlippedInOneRow_failsOpeningsExact() throws Exception {
    Verdict v = attest(Cheats.HONEST.flippedRows((g, t, i) -> g == 1 && t == 1 && i == 17));
    assertFailsOnly(v, "device 1, iteration 1, row 17 (row in r(g,t))", "openings.exact");
    assertEquals("255/256 exact", v.check("openings.exact").measured());
    assertMessageSaysNotCanonical(v);
  }

  @Test
  void verify_fp32Products_failsOpeningsExact() throws Exception {
    Verdict v = attest(Cheats.HONEST.product(Products.FP32));
    assertFailsOnly(v, "device 0, iteration 0, row 0 (row in r(g,t))", "openings.exact");
    assertEquals("0/256 exact", v.check("openings.exact").measured());
    assertMessageSaysNotCanonical(v);
  }

  @Test
  void verify_descendingSummationOrder_failsOpeningsExact() throws Exception {
    Verdict v = attest(Cheats.HONEST.product(Products.DESCENDING_K));
    assertFailsOnly(v, "(row in r(g,t))", "openings.exact");
    assertNotEquals("256/256 exact", v.check("openings.exact").measured());
    assertMessageSaysNotCanonical(v);
  }

  @Test
  void verify_multiplyThenAddWithoutFma_failsOpeningsExact() throws Exception {
    Verdict v = attest(Cheats.HONEST.product(Products.MUL_THEN_ADD));
    assertFailsOnly(v, "(row in r(g,t))", "openings.exact");
    assertNotEquals("256/256 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_tamperedRowPathEntry_failsOpeningsExact() throws Exception {
    Harness h = new Harness(dir, 12);
    int k = index(0, 1, 36);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).shape(SHAPE)
        .openings(o -> Tamper.flipPathBit(o, k, true, 3)).verdict();
    assertFailsOnly(v, "device 0, iteration 1, row 36 (row in r(g,t)): audit path leads to",
        "openings.exact");
    assertEquals("255/256 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_tamperedMatrixPathEntry_failsOpeningsExact() throws Exception {
    Harness h = new Harness(dir, 13);
    int k = index(1, 0, 5);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).shape(SHAPE)
        .openings(o -> Tamper.flipPathBit(o, k, false, 0)).verdict();
    assertFailsOnly(v, "device 1, iteration 0, row 5 (r(g,t) in R(g)): audit path leads to",
        "openings.exact");
    assertEquals("255/256 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_openingDropped_failsOpeningsComplete() throws Exception {
    Harness h = new Harness(dir, 14);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).shape(SHAPE)
        .openings(o -> Tamper.drop(o, index(1, 1, 63))).verdict();
    assertFailsOnly(v, "do not answer the samples asked for", "openings.complete");
  }

  @Test
  void verify_noOpenings_failsCompleteAndExact() throws Exception {
    Harness h = new Harness(dir, 15);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).shape(new Shape(1, 64, 2, 3))
        .openings(o -> new org.gpuattest.common.message.Openings(1, o.challengeDigest(),
            o.commitmentDigest(), java.util.List.of()))
        .verdict();
    assertFailsOnly(v, "nothing was answered", "openings.exact", "openings.complete");
    assertEquals("0/0 openings matching", v.check("openings.complete").measured());
  }

  @Test
  void verify_oneOfTwoOpeningsSent_failsCompleteSayingOneOpening() throws Exception {
    Harness h = new Harness(dir, 16);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).shape(new Shape(1, 64, 2, 2))
        .openings(o -> Tamper.drop(o, 1)).verdict();
    assertFailsOnly(v, "do not answer the samples asked for", "openings.complete");
    assertEquals("1/1 opening matching", v.check("openings.complete").measured());
    assertEquals("2 requested", v.check("openings.complete").expected());
  }

  private static void assertMessageSaysNotCanonical(Verdict v) {
    Verdicts.assertMessage(v, "openings.exact", "not the canonical FP64 product");
  }
}
