package org.gpuattest.validator.attack;

import static org.gpuattest.validator.attack.Verdicts.ALL_CHECKS;
import static org.gpuattest.validator.attack.Verdicts.assertPasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.attack.Harness.Shape;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The other half of every attack test: the same harness with an honest prover passes, so each
 * attack's failure is the attack's doing. Checks the verdict's shape too: all 19 checks, in
 * the Verifier's order, every GPU-only check passing on H100-looking reports and reading
 * "skipped: cpu backend" on CPU ones.
 */
class HonestRunTest {
  static final List<String> GPU_ONLY = List.of("devices.model", "devices.sm-count",
      "sm.coverage", "sm.balance", "sm.busy", "timing.window", "timing.kernel");

  @TempDir Path dir;

  @Test
  void verify_honestCpuWithAllowCpu_passesAndSkipsGpuChecks() throws Exception {
    Harness h = new Harness(dir, 1);
    Verdict v = h.run(h.prover(Hardware.CPU, Cheats.HONEST)).allowCpu().verdict();
    assertPasses(v);
    for (String name : GPU_ONLY) {
      Check c = v.check(name);
      assertEquals(Check.SKIPPED, c.status(), name);
      assertEquals("skipped: cpu backend", c.message(), name);
    }
    assertEquals(Check.SKIPPED, v.check("signature.challenge").status());
    assertEquals("skipped: the challenge was issued unsigned",
        v.check("signature.challenge").message());
    for (String name : List.of("challenge.binding", "challenge.expiry", "challenge.replay",
        "signature.prover", "devices.backend", "devices.count", "devices.distinct",
        "devices.roots-distinct", "timing.barriers", "openings.complete", "openings.exact")) {
      assertEquals(Check.PASS, v.check(name).status(), name);
    }
    assertEquals("256/256 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_honestH100Reports_passesEveryGpuCheck() throws Exception {
    Harness h = new Harness(dir, 2);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).verdict();
    assertPasses(v);
    for (String name : ALL_CHECKS) {
      if (!name.equals("signature.challenge")) {
        assertEquals(Check.PASS, v.check(name).status(), () -> Verdicts.describe(v));
      }
    }
  }

  @Test
  void verify_honestH100SignedChallengePinnedKey_passesAllNineteen() throws Exception {
    Harness h = new Harness(dir, 3);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .signChallenge(Harness.key("validator"))
        .pin(h.proverKey.publicKey())
        .verdict();
    assertPasses(v);
    for (Check c : v.checks()) {
      assertEquals(Check.PASS, c.status(), c::toString);
    }
    assertEquals("valid Ed25519 (pinned key)", v.check("signature.prover").expected());
  }

  @Test
  void verify_honestSampledSubset_passesWithKOpenings() throws Exception {
    Harness h = new Harness(dir, 4);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .shape(new Shape(2, 64, 4, 40)).verdict();
    assertPasses(v);
    assertEquals("40 openings", v.check("openings.complete").measured());
    assertEquals("40/40 exact", v.check("openings.exact").measured());
  }

  @Test
  void verify_honestSingleDeviceSingleSample_readsEachCountInSingular() throws Exception {
    Harness h = new Harness(dir, 8);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .shape(new Shape(1, 64, 2, 1)).verdict();
    assertPasses(v);
    assertEquals("The commitment reports the 1 claimed device.",
        v.check("devices.count").message());
    assertEquals("1 UUID, 1 PCI id", v.check("devices.distinct").measured());
    assertEquals("1 root", v.check("devices.roots-distinct").measured());
    assertEquals("1 opening", v.check("openings.complete").measured());
    assertEquals("1 requested", v.check("openings.complete").expected());
  }

  @Test
  void verify_honestOddTreeSizes_passes() throws Exception {
    // T = 3 and G = 3: the matrix-root tree is unbalanced (RFC 6962 split at 2).
    Harness h = new Harness(dir, 5);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .shape(new Shape(3, 64, 3, 3 * 3 * 64)).verdict();
    assertPasses(v);
  }

  @Test
  void verify_honestLargerDim_passes() throws Exception {
    Harness h = new Harness(dir, 6);
    Verdict v = h.run(h.prover(Hardware.CPU, Cheats.HONEST)).allowCpu()
        .shape(new Shape(1, 128, 2, 64)).verdict();
    assertPasses(v);
  }

  @Test
  void verdict_anyRun_listsNineteenDistinctChecks() throws Exception {
    Harness h = new Harness(dir, 7);
    Verdict honest = h.run(h.prover(Hardware.H100, Cheats.HONEST)).verdict();
    Verdict cheat = h.run(h.prover(Hardware.CPU, Cheats.HONEST.product(Products.FP32)))
        .verdict();
    for (Verdict v : List.of(honest, cheat)) {
      List<String> names = v.checks().stream().map(Check::name).toList();
      assertEquals(19, names.size());
      Set<String> distinct = new HashSet<>(names);
      assertEquals(19, distinct.size());
      assertEquals(ALL_CHECKS, names);
    }
    assertEquals(Verdict.PASS, honest.result());
    assertEquals(Verdict.FAIL, cheat.result());
  }
}
