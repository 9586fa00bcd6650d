package org.gpuattest.validator.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-verification holds an exchange to the GPU profile bounds its record kept, not to the
 * table of the validator that re-verifies (docs/protocol.md 8.5): a model's rate calibrated
 * anew after the verdict must not turn an honest record into a mismatch, nor a dishonest one
 * into a pass.
 */
class ReverifierProfilesTest {
  @TempDir Path dir;

  /** The bundled table with the H100's canonical rate divided by {@code factor}. */
  private static GpuProfiles recalibrated(GpuProfiles base, double factor) {
    List<GpuProfiles.Profile> profiles = base.profiles().stream()
        .map(p -> !p.model().equals(TestProver.H100_NAME) ? p
            : new GpuProfiles.Profile(p.model(), p.smCount(), p.memoryGiB(), p.fp64Tflops(),
                p.fp64TensorTflops(), p.canonicalTflops() / factor, true))
        .toList();
    return new GpuProfiles(base.version(), base.about(), base.defaults(), profiles);
  }

  private ArchivedExchange honestRun(Harness h, boolean keepProfiles) throws Exception {
    Harness.Run run = h.run(h.prover(TestProver.Hardware.H100, TestProver.Cheats.HONEST));
    Verdict verdict = run.verdict();
    assertTrue(verdict.passed(), verdict.toString());
    String at = h.clock.instant().toString();
    ArchiveRecord record = new ArchiveRecord(1, verdict.challengeId(), ArchiveRecord.VERIFY,
        at, at, "test", null, new ArchiveRecord.Options(false, false, null), null,
        keepProfiles ? h.profiles.forModel(TestProver.H100_NAME) : null);
    return new ArchivedExchange(record, run.sampled, MessageCodec.encode(run.openings),
        verdict);
  }

  @Test
  void recordedBounds_areTheOnesUsed_notTheRecalibratedTable() throws Exception {
    Harness h = new Harness(dir, 7);
    ArchivedExchange x = honestRun(h, true);
    Reverifier.Outcome o = new Reverifier(recalibrated(h.profiles, 4), 1).reverify(x);
    assertEquals(List.of(), o.differences());
    assertTrue(o.passed());
  }

  @Test
  void recordWithoutBounds_isHeldToTheReverifiersTable() throws Exception {
    Harness h = new Harness(dir, 7);
    ArchivedExchange x = honestRun(h, false);
    assertTrue(new Reverifier(h.profiles, 1).reverify(x).passed(), "the same table: passes");
    Reverifier.Outcome o = new Reverifier(recalibrated(h.profiles, 4), 1).reverify(x);
    assertFalse(o.matches());
    assertTrue(o.differences().stream().anyMatch(d -> d.contains("timing.window")),
        o.differences().toString());
  }

  @Test
  void forModel_keepsTheDefaultsAndOnlyTheClaimedModel() {
    GpuProfiles all = GpuProfiles.bundled();
    GpuProfiles kept = all.forModel(TestProver.H100_NAME);
    assertEquals(all.defaults(), kept.defaults());
    assertEquals(List.of(all.find(TestProver.H100_NAME).orElseThrow()), kept.profiles());
    assertEquals(List.of(), all.forModel("no such GPU").profiles());
  }
}
