package org.gpuattest.validator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.schema.Schemas;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.gpuattest.validator.fleet.ArchiveFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'validator fleet': the table for people, JSON for tools, exit codes and warnings. */
class ValidatorFleetTest {
  @TempDir Path dir;
  ArchiveFixture archive;
  Path validatorKey;

  @BeforeEach
  void setUp() throws Exception {
    archive = new ArchiveFixture(dir.resolve("archive"));
    validatorKey = Files.writeString(dir.resolve("validator.pub.pem"),
        ArchiveFixture.VALIDATOR.publicKey().toPem());
  }

  /** 'validator fleet', trusting the fixture's validator key. */
  private Result fleet(String... args) {
    List<String> all = new ArrayList<>(List.of("fleet", "--validator-key",
        validatorKey.toString()));
    all.addAll(List.of(args));
    return ValidatorCliHarness.run(all.toArray(String[]::new));
  }

  /** Three providers of H100s: one at the median, one 11% and one 9% below it. */
  private void threeProviders() {
    for (int i = 0; i < 3; i++) {
      archive.passed("fast", "fast", ArchiveFixture.H100, 50);
    }
    archive.failed("fast", "fast", ArchiveFixture.H100, 50);
    archive.passed("slow11", "slow11", ArchiveFixture.H100, 44.5);
    archive.passed(null, "slow9", ArchiveFixture.H100, 45.5);
  }

  @Test
  void fleet_text_alignsColumnsAndFlagsTheSlowProvider() {
    threeProviders();
    Result r = fleet(archive.dir.toString()).assertOk();
    assertEquals("", r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("PROVIDER"), r.out());
    String fast = line(lines, "fast (key " + ArchiveFixture.key("fast").keyId() + ")");
    String slow11 = line(lines, "slow11 ");
    String slow9 = line(lines, "key " + ArchiveFixture.key("slow9").keyId());
    // no memory phase in these verdicts: '-' under MEMORY TB/S
    assertTrue(slow11.matches(".*-11\\.0%\\s+-  FLAGGED"), slow11);
    assertTrue(slow9.matches(".*-9\\.0%\\s+-"), slow9);
    assertTrue(fast.matches(".*  3\\s+1\\s+50\\.0\\s+3\\s+\\+0\\.0%\\s+-$"), fast);
    // Aligned: the MODEL column starts at the same place on every row.
    int model = lines.get(0).indexOf("MODEL");
    for (String l : List.of(fast, slow11, slow9)) {
      assertEquals(model, l.indexOf(ArchiveFixture.H100), l);
    }
    assertFalse(r.out().contains("\n" + ArchiveFixture.key("slow9").keyId()),
        "a key id alone is shown as a key, never where a label would be: " + r.out());
    assertTrue(r.out().contains("  " + ArchiveFixture.H100 + ": 50.0 TFLOP/s per GPU, median"
        + " of 5 (3 providers; 5 passed, 1 failed)"), r.out());
    assertTrue(r.out().endsWith("fleet: 6 attestations; 1 provider flagged (median more than"
        + " 10% below its model's); 0 entries skipped\n"), r.out());
  }

  @Test
  void fleet_json_validatesAgainstTheSchemaAndCarriesTheNumbers() throws Exception {
    threeProviders();
    archive.proverFailure(null, ArchiveFixture.H100);
    Result r = fleet("--json", archive.dir.toString()).assertOk();
    assertEquals(List.of(), Schemas.schemaErrors("fleet"));
    assertEquals(List.of(), Schemas.errors("fleet", r.out()), r.out());
    JsonNode report = Json.read("fleet", r.out().getBytes(StandardCharsets.UTF_8),
        JsonNode.class);
    assertEquals(7, report.get("attestations").asInt());
    assertEquals(1, report.get("flagged").asInt());
    assertEquals(50.0, report.at("/models/0/medianTflopsPerGpu").asDouble(), 1e-9);
    JsonNode slow11 = null;
    for (JsonNode p : report.get("providers")) {
      if (p.get("provider").asText().equals("slow11")) {
        slow11 = p;
      }
    }
    assertEquals("label", slow11.get("by").asText());
    assertTrue(slow11.get("flagged").asBoolean());
    assertTrue(slow11.get("medianTflopsPerGpu").isNumber());
    assertEquals(0.89, slow11.get("vsModelMedian").asDouble(), 1e-9);
  }

  @Test
  void fleet_failOnFlagged_exitsOneWhenAProviderIsFlagged() {
    threeProviders();
    Result r = fleet("--fail-on-flagged", archive.dir.toString());
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(r.out().contains("FLAGGED"), r.out());
    ArchiveFixture calm = new ArchiveFixture(dir.resolve("calm"));
    calm.passed("a", "a", ArchiveFixture.H100, 50);
    calm.passed("b", "b", ArchiveFixture.H100, 46);
    fleet("--fail-on-flagged", calm.dir.toString()).assertOk();
  }

  @Test
  void fleet_damagedEntries_oneWarningLineEach_thenACount() throws Exception {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    int damaged = FleetCommand.MAX_WARNINGS + 3;
    for (int i = 0; i < damaged; i++) {
      Path p = archive.passed("acme", "acme", ArchiveFixture.H100, 40);
      Files.writeString(p.resolve("verdict.json"), "{\"version\": 1, \"checks\": [");
    }
    Result r = fleet(archive.dir.toString()).assertOk();
    List<String> err = r.err().lines().toList();
    assertEquals(FleetCommand.MAX_WARNINGS + 1, err.size(), r.describe());
    assertTrue(err.get(0).startsWith("validator fleet: skipped " + archive.dir), err.get(0));
    assertTrue(err.get(0).contains("/verdict.json: "), err.get(0));
    assertEquals("validator fleet: 3 more entries skipped", err.get(err.size() - 1));
    assertTrue(r.out().contains("1 attestation; 0 providers flagged"), r.out());
    assertTrue(r.out().contains(damaged + " entries skipped"), r.out());
  }

  @Test
  void fleet_badOptions_areOneLineExitTwo() {
    fleet(dir.resolve("missing").toString())
        .assertBadInput("no archive folder");
    fleet("--since", "yesterday", dir.toString())
        .assertBadInput("--since");
    fleet("--since", "2030-01-01", "--days", "3", dir.toString())
        .assertBadInput("--since and --days");
    fleet("--days", "0", dir.toString()).assertBadInput("--days");
  }

  @Test
  void fleet_days_countsOnlyTheLastDays() {
    // The harness clock is 2026-01-01; the fixture's attestations are dated 2030, so all of
    // them fall in any last-N-days window but none before it.
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Result r = fleet("--json", "--days", "1",
        archive.dir.toString()).assertOk();
    assertTrue(r.out().contains("\"since\" : \"2025-12-31T00:00:00Z\""), r.out());
    assertTrue(r.out().contains("\"attestations\" : 1"), r.out());
    Result later = fleet("--json", "--since", "2030-03-02",
        archive.dir.toString()).assertOk();
    assertTrue(later.out().contains("\"attestations\" : 0"), later.out());
    assertFalse(later.out().contains("FLAGGED"));
  }

  /**
   * The summary says from when it counts as a person reads it: a real clock's nanoseconds
   * ("2026-01-12T09:41:27.123456789Z") are left out, in the JSON too.
   */
  @Test
  void fleet_summary_saysSinceInWholeSecondsOrADate() {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Instant now = Instant.parse("2026-01-14T09:41:27.123456789Z");
    String[] days = {"fleet", "--validator-key", validatorKey.toString(), "--days", "2",
        archive.dir.toString()};
    Result r = ValidatorCliHarness.runAt(now, days).assertOk();
    assertTrue(r.out().contains("\nfleet: 1 attestation verified since 2026-01-12 09:41:27 UTC;"
        + " 0 providers flagged"), r.out());
    String[] json = Arrays.copyOf(days, days.length + 1);
    json[days.length] = "--json";
    Result j = ValidatorCliHarness.runAt(now, json).assertOk();
    assertTrue(j.out().contains("\"since\" : \"2026-01-12T09:41:27Z\""), j.out());
    Result since = fleet("--since", "2030-01-01", archive.dir.toString()).assertOk();
    assertTrue(since.out().contains("\nfleet: 1 attestation verified since 2030-01-01; "),
        since.out());
  }

  /** Unsigned exchanges are skipped by default; --allow-unsigned counts them, and says so. */
  @Test
  void fleet_unsigned_skippedUnlessAllowed_thenCountedAndSaid() throws Exception {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Path old = archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Files.delete(old.resolve("signature.json"));
    Result r = fleet(archive.dir.toString()).assertOk();
    assertTrue(r.err().startsWith("validator fleet: skipped " + old + ": unsigned: there is no"
        + " signature.json"), r.err());
    assertTrue(r.out().contains("fleet: 1 attestation; "), r.out());
    Result allowed = fleet("--allow-unsigned", archive.dir.toString()).assertOk();
    assertEquals("", allowed.err());
    assertTrue(allowed.out().contains("fleet: 2 attestations (1 of them unsigned, counted with"
        + " --allow-unsigned); "), allowed.out());
  }

  /** Without --validator-key only this host's archive key is trusted: not the fixture's. */
  @Test
  void fleet_withoutValidatorKey_trustsOnlyThisHostsKey() throws Exception {
    archive.passed("acme", "acme", ArchiveFixture.H100, 40);
    Result r = ValidatorCliHarness.run("fleet", archive.dir.toString()).assertOk();
    assertTrue(r.err().contains(": signed by validator key "
        + ArchiveFixture.VALIDATOR.publicKey().keyId() + ", which is not trusted here ("),
        r.err());
    assertTrue(r.out().contains("fleet: 0 attestations; "), r.out());
  }

  @Test
  void fleet_validatorKeyNotAPublicKey_exit2() throws Exception {
    Path priv = Files.writeString(dir.resolve("priv.pem"), ArchiveFixture.VALIDATOR.toPem());
    ValidatorCliHarness.run("fleet", "--validator-key", priv.toString(),
        archive.dir.toString()).assertBadInput("--validator-key");
  }

  private static String line(List<String> lines, String start) {
    return lines.stream().filter(l -> l.startsWith(start)).findFirst()
        .orElseThrow(() -> new AssertionError("no line starting '" + start + "' in " + lines));
  }
}
