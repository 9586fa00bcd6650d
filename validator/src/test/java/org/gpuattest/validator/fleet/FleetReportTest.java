package org.gpuattest.validator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.archive.ArchiveSigner;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet report over archives written by the archive's own writer (ArchiveFixture). */
class FleetReportTest {
  @TempDir Path dir;
  ArchiveFixture archive;

  @BeforeEach
  void setUp() {
    archive = new ArchiveFixture(dir.resolve("archive"));
  }

  private FleetReport report() throws Exception {
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.dir, null, ArchiveFixture.TRUST);
    return FleetReport.of(archive.dir.toString(), null, scan.entries(), scan.skippedCount());
  }

  static FleetReport.ProviderRow row(FleetReport r, String by, String provider, String model) {
    return r.providers().stream().filter(p -> p.by().equals(by)
        && p.provider().equals(provider) && p.model().equals(model)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + by + " " + provider + "/" + model
            + ": " + r));
  }

  private static FleetReport.ProviderRow row(FleetReport r, String label, String model) {
    return row(r, FleetEntry.BY_LABEL, label, model);
  }

  @Test
  void medians_oddCountIsTheMiddle_evenCountTheMeanOfTheTwoMiddle() throws Exception {
    for (double t : new double[] {10, 30, 20}) {
      archive.passed("odd", "p1", ArchiveFixture.H100, t);
    }
    for (double t : new double[] {40, 10, 30, 20}) {
      archive.passed("even", "p2", ArchiveFixture.H100, t);
    }
    FleetReport r = report();
    assertEquals(20.0, row(r, "odd", ArchiveFixture.H100).medianTflopsPerGpu(), 1e-9);
    assertEquals(3, row(r, "odd", ArchiveFixture.H100).medianOf());
    assertEquals(25.0, row(r, "even", ArchiveFixture.H100).medianTflopsPerGpu(), 1e-9);
    FleetReport.ModelRow m = r.models().get(0);
    // 10 10 20 20 30 30 40: the model's median over every provider's passing attestations.
    assertEquals(20.0, m.medianTflopsPerGpu(), 1e-9);
    assertEquals(7, m.medianOf());
    assertEquals(2, m.providers());
    assertEquals(1.25, row(r, "even", ArchiveFixture.H100).vsModelMedian(), 1e-9);
  }

  @Test
  void flag_elevenPercentBelowIsFlagged_ninePercentBelowIsNot() throws Exception {
    for (int i = 0; i < 3; i++) {
      archive.passed("fast", "f", ArchiveFixture.H100, 50);
    }
    archive.passed("slow11", "s11", ArchiveFixture.H100, 44.5); // 0.89 of 50
    archive.passed("slow9", "s9", ArchiveFixture.H100, 45.5); // 0.91 of 50
    FleetReport r = report();
    assertEquals(50.0, r.models().get(0).medianTflopsPerGpu(), 1e-9);
    assertTrue(row(r, "slow11", ArchiveFixture.H100).flagged());
    assertEquals(0.89, row(r, "slow11", ArchiveFixture.H100).vsModelMedian(), 1e-9);
    assertFalse(row(r, "slow9", ArchiveFixture.H100).flagged());
    assertFalse(row(r, "fast", ArchiveFixture.H100).flagged());
    assertEquals(1, r.flagged());
  }

  @Test
  void models_areComparedOnlyWithThemselves() throws Exception {
    archive.passed("a", "a", ArchiveFixture.H100, 50);
    archive.passed("b", "b", ArchiveFixture.A100, 10); // slow, but the only A100
    FleetReport r = report();
    assertEquals(2, r.models().size());
    assertFalse(row(r, "b", ArchiveFixture.A100).flagged());
    assertEquals(1.0, row(r, "b", ArchiveFixture.A100).vsModelMedian(), 1e-9);
  }

  @Test
  void failed_areCountedButNotInMedians() throws Exception {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    archive.failed("acme", "acme", ArchiveFixture.H100, 1);
    archive.failed("acme", "acme", ArchiveFixture.H100, 2);
    archive.exchange("acme", "acme", archive.verdict("acme", ArchiveFixture.H100, 0.001, "cpu",
        true), ArchiveFixture.DAY_ONE); // --allow-cpu: passes, but proves no GPU rate
    FleetReport.ProviderRow acme = row(report(), "acme", ArchiveFixture.H100);
    assertEquals(2, acme.passed());
    assertEquals(2, acme.failed());
    assertEquals(40.0, acme.medianTflopsPerGpu(), 1e-9);
    assertEquals(1, acme.medianOf());
  }

  @Test
  void proverFailures_countAsFailedForTheLabel_elseUnknown() throws Exception {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    archive.proverFailure("acme", ArchiveFixture.H100);
    archive.proverFailure(null, ArchiveFixture.A100);
    FleetReport r = report();
    assertEquals(1, row(r, "acme", ArchiveFixture.H100).failed());
    FleetReport.ProviderRow unknown = row(r, FleetEntry.BY_UNKNOWN, FleetEntry.UNKNOWN,
        ArchiveFixture.A100);
    assertEquals(0, unknown.passed());
    assertEquals(1, unknown.failed());
    assertNull(unknown.label());
    assertNull(unknown.medianTflopsPerGpu());
    assertNull(unknown.vsModelMedian());
    assertEquals(3, r.attestations());
  }

  @Test
  void provider_isTheLabelWithItsKeys_elseTheKeyId() throws Exception {
    archive.passed("acme", "acme-1", ArchiveFixture.H100, 40);
    archive.passed("acme", "acme-2", ArchiveFixture.H100, 40);
    archive.passed(null, "anon", ArchiveFixture.H100, 40);
    FleetReport r = report();
    String anonId = ArchiveFixture.key("anon").keyId();
    FleetReport.ProviderRow anon = row(r, FleetEntry.BY_KEY, anonId, ArchiveFixture.H100);
    assertNull(anon.label());
    assertEquals(List.of(anonId), anon.proverKeyIds());
    FleetReport.ProviderRow acme = row(r, "acme", ArchiveFixture.H100);
    assertEquals("acme", acme.label());
    assertEquals(List.of(ArchiveFixture.key("acme-1").keyId(),
        ArchiveFixture.key("acme-2").keyId()).stream().sorted().toList(), acme.proverKeyIds());
  }

  /** A label that spells another prover's key id is a group of its own, not that prover's. */
  @Test
  void labelEqualToAKeyId_staysApartFromThatKeysGroup() throws Exception {
    String victim = ArchiveFixture.key("victim").keyId();
    archive.passed(null, "victim", ArchiveFixture.H100, 50);
    archive.passed(victim, "impostor", ArchiveFixture.H100, 5);
    FleetReport r = report();
    assertEquals(2, r.providers().size(), r.providers().toString());
    FleetReport.ProviderRow byKey = row(r, FleetEntry.BY_KEY, victim, ArchiveFixture.H100);
    assertEquals(List.of(victim), byKey.proverKeyIds());
    assertEquals(50.0, byKey.medianTflopsPerGpu(), 1e-9);
    FleetReport.ProviderRow byLabel = row(r, FleetEntry.BY_LABEL, victim, ArchiveFixture.H100);
    assertEquals(List.of(ArchiveFixture.key("impostor").keyId()), byLabel.proverKeyIds());
    assertEquals(5.0, byLabel.medianTflopsPerGpu(), 1e-9);
  }

  /** The key that signed the commitment counts, not the one the verdict names. */
  @Test
  void attribution_isTheCommitmentsSigner_notTheVerdictsKeyId() throws Exception {
    archive.exchange(null, "signer", archive.verdict("named", ArchiveFixture.H100, 40, "cuda",
        false), ArchiveFixture.DAY_ONE);
    FleetReport r = report();
    assertEquals(1, r.providers().size(), r.providers().toString());
    FleetReport.ProviderRow p = r.providers().get(0);
    assertEquals(FleetEntry.BY_KEY, p.by());
    assertEquals(ArchiveFixture.key("signer").keyId(), p.provider());
    assertEquals(1, p.failed());
  }

  @Test
  void realVerifierVerdict_isReadWithItsKeyAndRate() throws Exception {
    Harness h = new Harness(dir, 21);
    Harness.Run run = h.run(h.prover(TestProver.Hardware.H100, TestProver.Cheats.HONEST));
    Verdict v = run.verdict();
    Path folder = archive.exchange("lab", run.sampled, MessageCodec.encode(run.openings), v,
        ArchiveFixture.DAY_ONE);
    FleetEntry e = ArchiveReader.read(folder, ArchiveFixture.TRUST);
    assertTrue(e.passed());
    assertTrue(e.signed());
    assertEquals(h.proverKey.publicKey().keyId(), e.proverKeyId());
    assertEquals(TestProver.H100_NAME, e.model());
    assertEquals(v.attestation().timing().tflopsPerGpu(), e.tflopsPerGpu());
    assertTrue(e.countsForThroughput());
  }

  @Test
  void damagedEntries_areSkippedWithAReason_andTheRestCounted() throws Exception {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Path noVerdict = archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Files.delete(noVerdict.resolve("verdict.json"));
    Path malformed = archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Files.writeString(malformed.resolve("verdict.json"), "{\"version\": 1, \"result\": ");
    Path otherId = archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Files.write(otherId.resolve("record.json"), Json.write(ArchiveFixture.record(
        "ff".repeat(16), "acme", ArchiveFixture.DAY_ONE, null)));
    ArchiveSigner.sign(otherId, ArchiveFixture.VALIDATOR); // consistent but for the id
    Path huge = archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Files.write(huge.resolve("verdict.json"), new byte[(1 << 20) + 1]);
    Files.createDirectories(archive.dir.resolve("notes"));
    Files.createDirectories(archive.dir.resolve("2030-03-01").resolve("." + "ab".repeat(16)
        + ".tmp")); // being written: passed over, not reported
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.dir, null, ArchiveFixture.TRUST);
    assertEquals(1, scan.entries().size());
    assertEquals(5, scan.skippedCount(), scan.skipped().toString());
    List<String> reasons = scan.skipped().stream().map(ArchiveReader.Skipped::reason).toList();
    assertTrue(reasons.contains(noVerdict + " is not a complete exchange folder: verdict.json"
        + " is missing"), reasons::toString);
    assertTrue(reasons.contains("record.json: challengeId is not the folder's name"),
        reasons::toString);
    assertTrue(reasons.contains(huge.resolve("verdict.json") + " is more than 1048576 bytes,"
        + " more than an archived verdict.json can be"), reasons::toString);
    assertTrue(reasons.contains("not a YYYY-MM-DD folder of the archive"), reasons::toString);
    assertTrue(reasons.stream().anyMatch(x -> x.startsWith(malformed.resolve("verdict.json")
        + ": ")), reasons::toString);
  }

  /** With no session.json, reverify refuses an entry; so does fleet, whatever its rate. */
  @Test
  void entryWithoutSession_isSkipped_andMovesNoMedian() throws Exception {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    archive.passed("rival", "rival", ArchiveFixture.H100, 40);
    Path handMade = archive.passed("rival", "rival", ArchiveFixture.H100, 20_000);
    Files.delete(handMade.resolve("session.json"));
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.dir, null, ArchiveFixture.TRUST);
    assertEquals(2, scan.entries().size());
    assertEquals(List.of(handMade + " is not a complete exchange folder: session.json is"
        + " missing"), scan.skipped().stream().map(ArchiveReader.Skipped::reason).toList());
    FleetReport r = FleetReport.of("a", null, scan.entries(), scan.skippedCount());
    assertEquals(40.0, r.models().get(0).medianTflopsPerGpu(), 1e-9);
    assertFalse(row(r, "acme", ArchiveFixture.H100).flagged());
  }

  /**
   * A copy of an exchange in another date folder counts once: the one where the archive puts
   * it (the date of its verifiedAt), whichever is listed first; the copy is named.
   */
  @Test
  void copiedExchange_countsOnce_fromWhereTheArchivePutsIt() throws Exception {
    Path original = archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    String id = original.getFileName().toString();
    Path earlier = archive.dir.resolve("2030-02-01").resolve(id);
    Path later = archive.dir.resolve("2030-04-01").resolve(id);
    for (Path copy : List.of(earlier, later)) {
      Files.createDirectories(copy);
      try (var files = Files.list(original)) {
        for (Path f : files.toList()) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
    }
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.dir, null, ArchiveFixture.TRUST);
    assertEquals(1, scan.entries().size());
    assertEquals(List.of(earlier, later), scan.skipped().stream()
        .map(ArchiveReader.Skipped::path).sorted().toList());
    for (ArchiveReader.Skipped s : scan.skipped()) {
      assertEquals("a copy of challenge " + id + ", which is counted once, from " + original,
          s.reason());
    }
    assertEquals(1, FleetReport.of("a", null, scan.entries(), 2).attestations());
  }

  @Test
  void since_countsOnlyLaterVerifications() throws Exception {
    archive.exchange("acme", "acme", archive.verdict("acme", ArchiveFixture.H100, 10, "cuda",
        true), ArchiveFixture.days(-3));
    archive.exchange("acme", "acme", archive.verdict("acme", ArchiveFixture.H100, 30, "cuda",
        true), ArchiveFixture.days(0));
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.dir, ArchiveFixture.days(-1),
        ArchiveFixture.TRUST);
    assertEquals(1, scan.entries().size());
    assertEquals(30.0, scan.entries().get(0).tflopsPerGpu(), 1e-9);
  }

  @Test
  void missingArchive_isBadInput() {
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> ArchiveReader.scan(dir.resolve("nowhere"), null, ArchiveFixture.TRUST));
    assertTrue(e.getMessage().startsWith("no archive folder "), e.getMessage());
  }

  @Test
  void report_readsBackAsJson() throws Exception {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    FleetReport r = report();
    assertEquals(r, Json.read("fleet", Json.write(r), FleetReport.class));
  }

  /** A passing cuda attestation whose memory phase streamed at {@code tbps}. */
  private void passedWithMemory(String label, String prover, double tflops, double tbps)
      throws Exception {
    org.gpuattest.common.message.Verdict v = archive.verdict(prover, ArchiveFixture.H100,
        tflops, "cuda", true);
    java.util.List<org.gpuattest.common.message.Check> checks =
        new java.util.ArrayList<>(v.checks());
    checks.add(org.gpuattest.common.message.Check.pass("memory.window", "2.000 s",
        "<= 2.205 s", "The memory roots arrived within the profile's window.")
        .withFigures(java.util.Map.of("shownTBps", tbps)));
    archive.exchange(label, prover, org.gpuattest.common.message.Verdict.of(v.challengeId(),
        checks, v.attestation()), java.time.Instant.parse("2030-03-02T10:00:00Z"));
  }

  /**
   * Memory bandwidth beside the rate (issue 21): the median of memory.window's shownTBps over
   * the passing cuda attestations that had a memory phase, per provider and per model; none
   * without one; never a flag.
   */
  @Test
  void memory_medianOfTheMemoryPhasesShown_besideTheRate() throws Exception {
    passedWithMemory("acme", "acme", 50, 2.5);
    passedWithMemory("acme", "acme", 50, 3.1);
    passedWithMemory("acme", "acme", 50, 2.9);
    archive.passed("old", "old", ArchiveFixture.H100, 50); // before the memory phase
    FleetReport r = report();
    assertEquals(2.9, row(r, "acme", ArchiveFixture.H100).medianMemoryTBps());
    assertEquals(null, row(r, "old", ArchiveFixture.H100).medianMemoryTBps());
    assertEquals(2.9, r.models().get(0).medianMemoryTBps());
  }
}
