package org.gpuattest.validator.attack;

import static org.gpuattest.validator.attack.Verdicts.assertFailsOnly;
import static org.gpuattest.validator.attack.Verdicts.assertPasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.VerdictText;
import org.gpuattest.validator.attack.Harness.Shape;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.gpuattest.validator.attack.TestProver.RowSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Devices verified on several threads give the verdict one thread gives: the same checks, the
 * same measured values and the same messages, the first failure included, whichever device
 * finishes first. Each side has its own validator, seeded alike, so both issue the same
 * challenge and draw the same samples, and each has its own replay store.
 */
class ParallelVerifyTest {
  /** G = 4, n = 64, T = 2, and K opening every one of the 512 rows. */
  static final Shape SHAPE = new Shape(4, 64, 2, 4 * 2 * 64);

  @TempDir Path dir;

  /** The verdicts of one thread and of {@code threads}, for the same prover. */
  private Verdict[] bothWays(int threads, Cheats cheats) throws Exception {
    Verdict[] out = new Verdict[2];
    int[] sides = {1, threads};
    for (int k = 0; k < 2; k++) {
      Harness h = new Harness(dir.resolve("threads-" + k), 31, sides[k]);
      out[k] = h.run(h.prover(Hardware.H100, cheats)).shape(SHAPE).verdict();
    }
    assertEquals(out[0], out[1], "the verdict depends on the number of threads");
    assertEquals(VerdictText.format(out[0]), VerdictText.format(out[1]));
    return out;
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {2, 3, 4, 16})
  void verify_honest_sameVerdictAsOneThread(int threads) throws Exception {
    assertPasses(bothWays(threads, Cheats.HONEST)[1]);
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {2, 4, 16})
  void verify_rowsWrongOnLaterDevices_sameFirstFailureAsOneThread(int threads)
      throws Exception {
    // Device 3 has more wrong rows, and would finish first if any did; device 2's comes first.
    RowSet wrong = (g, t, i) -> (g == 2 && t == 1 && i == 40) || (g == 3 && i % 2 == 0);
    Verdict v = bothWays(threads, Cheats.HONEST.flippedRows(wrong))[1];
    assertFailsOnly(v, "(first: device 2, iteration 1, row 40 (row in r(g,t))",
        "openings.exact");
    assertEquals((512 - 1 - 64) + "/512 exact", v.check("openings.exact").measured());
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {2, 4})
  void verify_lastDeviceSkippedAnIteration_sameFirstFailureAsOneThread(int threads)
      throws Exception {
    Verdict v = bothWays(threads,
        Cheats.HONEST.skippedMatrices((g, t, i) -> g == 3 && t == 1, false))[1];
    assertFailsOnly(v, "(first: device 3, iteration 1, row 0 (row in r(g,t))",
        "openings.exact");
    assertEquals("448/512 exact", v.check("openings.exact").measured());
  }
}
