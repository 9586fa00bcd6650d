package org.gpuattest.validator.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A verdict archived before attestation.rowsRequested existed re-verifies as matching: the
 * field is new, not a difference in what was judged; any other change in the attestation is.
 */
class VerdictDifferencesTest {
  @TempDir Path dir;

  @Test
  void between_recordedWithoutRowsRequested_noDifference() throws Exception {
    Harness h = new Harness(dir, 21);
    Verdict now = h.run(h.prover(Hardware.H100, Cheats.HONEST)).verdict();
    Verdict recorded = new Verdict(now.version(), now.result(), now.challengeId(),
        now.attestation().withRowsRequested(null), now.checks());
    assertEquals(List.of(), VerdictDifferences.between(recorded, now));
  }

  @Test
  void between_recordedWithOtherRowsRequested_differs() throws Exception {
    Harness h = new Harness(dir, 22);
    Verdict now = h.run(h.prover(Hardware.H100, Cheats.HONEST)).verdict();
    Verdict recorded = new Verdict(now.version(), now.result(), now.challengeId(),
        now.attestation().withRowsRequested(now.attestation().rowsRequested() - 1),
        now.checks());
    assertEquals(List.of("verdict.json differs from the verdict made now outside its checks"),
        VerdictDifferences.between(recorded, now));
  }
}
