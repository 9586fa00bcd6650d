package org.gpuattest.validator.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.attack.Harness.Shape;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.gpuattest.validator.attack.TestProver.RowSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sampling argument of docs/soundness.md, measured: a prover that fakes a fraction f of the
 * rows is caught with probability at least 1 - (1 - f)^K when K rows are opened (exactly
 * 1 - C(N - m, K) / C(N, K) for m faked rows of N, sampling without replacement). Each trial is
 * a full attestation with a new challenge, so the samples come from a new secret seed and a new
 * commitment digest; the validator's randomness is seeded, so the run is reproducible.
 */
class SoundnessTest {
  static final Shape SHAPE = new Shape(1, 64, 4, 40); // N = 256 rows, K = 40
  static final int FAKED = 13; // f = 13/256, about 5%
  static final int TRIALS = 200;

  @TempDir Path dir;

  @Test
  void verify_fivePercentRowsFaked_detectedAtLeastAtSamplingBound() throws Exception {
    int total = SHAPE.totalRows();
    Set<Integer> faked = new HashSet<>();
    Random pick = new Random(20250602);
    while (faked.size() < FAKED) {
      faked.add(pick.nextInt(total));
    }
    int n = SHAPE.dim();
    RowSet rows = (g, t, i) -> faked.contains((g * SHAPE.iterations() + t) * n + i);
    Harness h = new Harness(dir, 51);
    TestProver p = h.prover(Hardware.CPU, Cheats.HONEST.flippedRows(rows));

    int detected = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      Harness.Run run = h.run(p).shape(SHAPE).allowCpu();
      Verdict v = run.verdict();
      boolean opened = false;
      for (Sample s : run.sampled.decodedRequest().samples()) {
        opened |= rows.contains(s.device(), s.iteration(), s.row());
      }
      boolean caught = v.check("openings.exact").failed();
      // Every opened faked row is caught, and nothing else is reported.
      assertEquals(opened, caught, "trial " + trial + ": " + Verdicts.describe(v));
      assertEquals(caught ? Set.of("openings.exact") : Set.of(), Verdicts.failed(v));
      if (caught) {
        detected++;
      }
    }

    double f = (double) FAKED / total;
    int k = SHAPE.samples();
    double bound = 1 - Math.pow(1 - f, k);
    double rate = (double) detected / TRIALS;
    double margin = 3 * Math.sqrt(bound * (1 - bound) / TRIALS);
    assertTrue(rate >= bound - margin, String.format(
        "detected %d/%d = %.3f, bound 1-(1-f)^K = %.3f, margin %.3f", detected, TRIALS, rate,
        bound, margin));

    // Without replacement: P(miss) = prod_{j<K} (N - m - j) / (N - j).
    double miss = 1;
    for (int j = 0; j < k; j++) {
      miss *= (double) (total - FAKED - j) / (total - j);
    }
    double exact = 1 - miss;
    assertTrue(exact >= bound, "sampling without replacement does at least as well");
    assertEquals(exact, rate, 4 * Math.sqrt(exact * (1 - exact) / TRIALS),
        "detection rate should match the hypergeometric probability (unbiased sampling)");
  }
}
