package org.gpuattest.validator.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.schema.Schemas;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.VerdictText;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdict as JSON for tools (docs/protocol.md sections 4.5 and 8.3): real verdicts, passing
 * and failing, validate against testdata/schemas/verdict.schema.json; the attestation object
 * repeats the challenge's claim and the commitment's key and devices, with the timing numbers
 * the validator measured; checks that measure numbers carry them as figures; a prover that
 * failed before committing leaves no attestation.
 */
class VerdictJsonTest {
  @TempDir Path dir;

  @Test
  void honestRun_attestationRepeatsChallengeAndCommitment() throws Exception {
    Harness h = new Harness(dir, 11);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST));
    Verdict v = run.verdict();
    assertTrue(v.passed(), () -> Verdicts.describe(v));
    assertSchemaValid(v);

    Challenge c = run.issued.decodedChallenge().value();
    Attestation a = v.attestation();
    assertNotNull(a);
    assertEquals(c.model(), a.model());
    assertEquals(c.dim(), a.dim());
    assertEquals(c.iterations(), a.iterations());
    assertEquals(c.devices(), a.devices());
    assertEquals(c.samples(), a.samples());
    assertEquals(DeviceReport.CUDA, a.backend());
    assertEquals(run.commitment.proverPublicKey(), a.proverPublicKey());
    assertEquals(run.commitment.devices().stream().map(DeviceReport::uuid).toList(),
        a.deviceUuids());
    // The key id by its definition: SHA-256 of the raw key, 16 hex digits.
    assertEquals(Hex.encode(Bytes.sha256(h.proverKey.publicKey().raw())).substring(0, 16),
        a.proverKeyId());
    assertEquals(h.clock.instant(), a.verified());
  }

  @Test
  void honestRun_timingIsTheWindowsAndTflopsIsTwoNCubedTOverElapsed() throws Exception {
    Harness h = new Harness(dir, 12);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).elapsed(Duration.ofSeconds(8))
        .verdict();
    Attestation.Throughput t = v.attestation().timing();
    assertEquals(8.0, t.elapsedSeconds(), 1e-9);
    // n = 64, T = 2: 2 * 64^3 * 2 = 1048576 FLOP per GPU in 8 s.
    assertEquals(1048576 / 8.0 / 1e12, t.tflopsPerGpu(), 1e-18);
    assertFalse(t.startupOutside(), "the separate steps time from the challenge's issue");
    assertNull(t.roundTripSeconds());
    Map<String, Double> window = v.check("timing.window").figures();
    assertEquals(window.get("provenDevices"), t.provenDevices());
    assertEquals(window.get("provenAtBound"), t.provenAtBound());
    assertEquals(window.get("expectedSeconds"), t.expectedSeconds());
    assertEquals(window.get("minSeconds"), t.minSeconds());
    assertEquals(window.get("maxSeconds"), t.maxSeconds());
  }

  @Test
  void honestRun_numericChecksCarryTheirNumbers() throws Exception {
    Harness h = new Harness(dir, 13);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST));
    Verdict v = run.verdict();
    double leastBusy = run.commitment.devices().stream().map(DeviceReport::smMonitor)
        .mapToDouble(SmMonitor::busyFraction).min().orElseThrow();
    assertEquals(leastBusy, v.check("sm.busy").figures().get("busyFraction"));
    // n = 64: one block of matmul_dmma a launch, on 132 SMs that hold 4 each (9.0)
    assertEquals(1.0 / (4 * TestProver.H100_SMS),
        v.check("sm.busy").figures().get("idealBusyFraction"), 1e-15);
    assertEquals(0.85 / (4 * TestProver.H100_SMS),
        v.check("sm.busy").figures().get("minBusyFraction"), 1e-15);
    assertEquals(1.0, v.check("sm.coverage").figures().get("requiredSms"));
    assertEquals((double) TestProver.H100_SMS, v.check("sm.coverage").figures().get("smCount"));
    assertEquals((double) TestProver.H100_SMS,
        v.check("sm.coverage").figures().get("coveredSms"));
    assertEquals(2.0, v.check("devices.count").figures().get("claimedDevices"));
    int k = run.sampled.decodedRequest().samples().size();
    assertEquals(Map.of("exact", (double) k, "requested", (double) k),
        v.check("openings.exact").figures());
    assertEquals(Map.of("requested", (double) k, "given", (double) k, "matching", (double) k),
        v.check("openings.complete").figures());
    assertTrue(v.check("challenge.expiry").figures().get("secondsBeforeExpiry") > 0);
  }

  @Test
  void failingRuns_validateAgainstTheSchema() throws Exception {
    Harness h = new Harness(dir, 14);
    List<Verdict> failed = List.of(
        h.run(h.prover(Hardware.H100, Cheats.HONEST.flippedRows((g, t, i) -> i == 3))).verdict(),
        h.run(h.prover(Hardware.CPU, Cheats.HONEST)).verdict(),
        h.run(h.prover(Hardware.H100, Cheats.HONEST)).elapsed(Duration.ofDays(1)).verdict(),
        h.run(h.prover(Hardware.H100, Cheats.HONEST.reports((g, r) -> Reports.monitor(r,
            new SmMonitor(r.smMonitor().blocksPerSm(), 0.0))))).verdict());
    for (Verdict v : failed) {
      assertFalse(v.passed(), () -> Verdicts.describe(v));
      assertSchemaValid(v);
      assertNotNull(v.attestation(), "a commitment was taken");
    }
    // The CPU run: no window without a GPU backend, but the rate on the validator's clock.
    Attestation.Throughput cpu = failed.get(1).attestation().timing();
    assertEquals(DeviceReport.CPU, failed.get(1).attestation().backend());
    assertNull(cpu.maxSeconds());
    assertNull(cpu.provenDevices());
    assertNotNull(cpu.tflopsPerGpu());
    assertEquals(0.0, failed.get(3).check("sm.busy").figures().get("busyFraction"));
  }

  /**
   * A commitment whose signature does not verify names no key id: the fleet report attributes
   * verdicts by it, and the key in an unsigned commitment may be another provider's.
   */
  @Test
  void signatureThatDoesNotVerify_noKeyId() throws Exception {
    Harness h = new Harness(dir, 17);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .commitment(c -> Tamper.flipSignatureByte(c, 10)).verdict();
    assertEquals(Check.FAIL, v.check("signature.prover").status());
    assertNotNull(v.attestation().proverPublicKey());
    assertNull(v.attestation().proverKeyId());
    assertSchemaValid(v);
  }

  @Test
  void proverFailure_hasNoAttestationAndValidates() throws Exception {
    Verdict v = ProverFailure.unusable("prove", "commitment", new IllegalArgumentException("x"))
        .verdict("0123456789abcdef0123456789abcdef");
    assertNull(v.attestation());
    String json = Json.writeString(v);
    assertFalse(json.contains("\"attestation\""), json);
    assertEquals(List.of(), Schemas.errors("verdict", json));
    assertFalse(VerdictText.format(v).startsWith("attestation:"));
  }

  @Test
  void verdictJson_readsBackEqual() throws Exception {
    Harness h = new Harness(dir, 15);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).verdict();
    Verdict back = Json.read("verdict", Json.write(v), Verdict.class);
    assertEquals(v, back);
    Check window = back.check("timing.window");
    assertEquals(v.check("timing.window").figures(), window.figures());
  }

  @Test
  void verdictText_headerNamesClaimKeyAndRate() throws Exception {
    Harness h = new Harness(dir, 16);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).verdict();
    String first = VerdictText.format(v).lines().findFirst().orElseThrow();
    assertEquals("attestation: 2 x " + TestProver.H100_NAME + ", n=64, T=2, 256 samples, cuda;"
        + " prover key " + v.attestation().proverKeyId() + "; 0.104 MFLOP/s per GPU over"
        + " 10.000 s", first);
  }

  /**
   * K = 460 over G x T x n = 128 rows: the request names each row once, and the header and the
   * attestation say so rather than claiming 460 samples were checked.
   */
  @Test
  void verdict_moreSamplesThanRows_headerAndAttestationShowBoth() throws Exception {
    Harness h = new Harness(dir, 17);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .shape(new Harness.Shape(2, 64, 1, 460));
    Verdict v = run.verdict();
    assertTrue(v.passed(), () -> Verdicts.describe(v));
    assertSchemaValid(v);
    assertEquals(460, v.attestation().samples());
    assertEquals(128, v.attestation().rowsRequested());
    assertEquals(128, run.sampled.decodedRequest().samples().size());
    String first = VerdictText.format(v).lines().findFirst().orElseThrow();
    assertTrue(first.contains(", n=64, T=1, 460 samples asked, 128 distinct rows (every row),"
        + " cuda;"), first);
  }

  @Test
  void verdict_samplesUnderRows_rowsRequestedIsK() throws Exception {
    Harness h = new Harness(dir, 18);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .shape(new Harness.Shape(2, 64, 2, 100)).verdict();
    assertEquals(100, v.attestation().rowsRequested());
    assertTrue(VerdictText.format(v).lines().findFirst().orElseThrow()
        .contains(", T=2, 100 samples, cuda;"));
  }

  private static void assertSchemaValid(Verdict v) {
    String json = new String(Json.write(v), StandardCharsets.UTF_8);
    assertEquals(List.of(), Schemas.errors("verdict", json), json);
  }
}
