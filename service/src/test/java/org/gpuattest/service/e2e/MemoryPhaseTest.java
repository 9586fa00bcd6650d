package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.service.Service;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.TestDatabases;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service runs the exchange 'validator attest' runs (docs/protocol.md section 3.2),
 * memory phase included unless the fleet entry says noMemory: through the scheduler with the
 * CPU prover, the archived verdict of a default entry has the memory checks, that of a
 * noMemory entry has none, and both pass.
 */
class MemoryPhaseTest {
  @TempDir Path dir;

  @Test
  void serve_defaultEntry_archivedVerdictHasTheMemoryChecks_noMemoryEntryHasNone()
      throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("with-memory", f.honest(), 3600, ""),
        ServiceFixture.entry("without", f.honest(), 3600, ", \"noMemory\": true"));
    Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 2, Duration.ofSeconds(5),
        null));
    AttestationRow with;
    AttestationRow without;
    try {
      String a = s.attestNow("with-memory").orElseThrow();
      String b = s.attestNow("without").orElseThrow();
      f.await("both ended", () -> s.store().attestation(a).orElseThrow().state().finished()
          && s.store().attestation(b).orElseThrow().state().finished());
      with = s.store().attestation(a).orElseThrow();
      without = s.store().attestation(b).orElseThrow();
    } finally {
      s.close();
    }
    assertEquals(Store.State.PASSED, with.state(), with + "\n" + f.log());
    assertEquals(Store.State.PASSED, without.state(), without + "\n" + f.log());
    Verdict v = ArchivedExchange.read(Path.of(with.archivePath())).verdict();
    assertTrue(names(v).contains("memory.exact"), "the memory phase was asked for: "
        + names(v));
    assertEquals(Check.PASS, v.check("memory.exact").status());
    assertEquals("skipped: cpu backend", v.check("memory.window").message());
    assertNull(with.memoryTBps(), "a CPU backend's memory phase shows no bandwidth");
    assertTrue(f.log().contains("[with-memory] validator: memory roots arrived "), f.log());
    Verdict none = ArchivedExchange.read(Path.of(without.archivePath())).verdict();
    assertTrue(names(none).stream().noneMatch(n -> n.startsWith("memory.")),
        "noMemory: " + names(none));
  }

  private static List<String> names(Verdict v) {
    return v.checks().stream().map(Check::name).toList();
  }
}
