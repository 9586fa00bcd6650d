package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gpuattest.service.Service;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.Stores;
import org.gpuattest.service.store.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator serve' as a process, as systemd runs it: a bad fleet file is exit 2 with every bad
 * entry on its own line; SIGHUP reloads the file, keeping the running fleet when the new one is
 * bad; SIGTERM stops it with exit 0; and kill -9 during an attestation leaves a record that the
 * next start marks interrupted, on the validator's side, with no duplicate and no half record.
 */
class ServeProcessTest {
  @TempDir Path dir;

  private ServedProcess serve(ServiceFixture f, String... extra) throws Exception {
    return ServedProcess.start(dir, f.fleetFile, TestDatabases.sqlite(dir), "host-a", extra);
  }

  @Test
  void serve_badFleetFile_exit2WithEachBadEntryOnItsOwnLine() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("a", "true", 0, ""),
        ServiceFixture.entry("a", "true", 60, ""),
        ServiceFixture.entry("b", "true", 60, "").replace(ServiceFixture.MODEL, "Nope"));
    try (ServedProcess s = serve(f)) {
      assertTrue(s.process.waitFor(ServiceFixture.NO_HANG.toSeconds(), TimeUnit.SECONDS));
      assertEquals(2, s.process.exitValue(), s.err());
      Thread.sleep(200); // the reader's last lines
      List<String> lines = s.err().lines().filter(l -> !l.contains("incubator")).toList();
      assertEquals(3, lines.size(), s.err());
      assertTrue(lines.get(0).startsWith("validator serve: " + f.fleetFile
          + ": providers[0] (a): intervalSeconds must be in [1, 604800]"), lines.get(0));
      assertTrue(lines.get(1).contains("providers[1] (a): the name is also at providers[0]"));
      assertTrue(lines.get(2).contains("providers[2] (b): model: unknown GPU model 'Nope'"));
      assertTrue(!Files.exists(dir.resolve("service.db")), "nothing started before the check");
    }
  }

  @Test
  void serve_sighupBadThenGood_keepsThenReloads_sigtermExits0() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("one", f.hanging(), 3600,
        ", \"prepareTimeoutSeconds\": 600"));
    try (ServedProcess s = serve(f)) {
      s.await("listening", () -> s.err().contains("listening on http://127.0.0.1:"));
      f.writeFleet(ServiceFixture.entry("one", "true", 3600, ""), "{\"name\": \"two\"}");
      s.signal("HUP");
      s.await("the bad reload refused", () -> s.err().contains("reload refused: the running"
          + " fleet of 1 providers is kept"));
      assertTrue(s.err().contains("reload refused: " + f.fleetFile + ": providers[1] (two):"
          + " prover is required"), s.err());
      f.writeFleet(ServiceFixture.entry("one", f.hanging(), 3600, ""),
          ServiceFixture.entry("two", f.hanging(), 3600, ""));
      s.signal("HUP");
      s.await("the good reload", () -> s.err().contains("reloaded " + f.fleetFile
          + ": 2 providers"));
      s.signal("TERM");
      assertTrue(s.process.waitFor(60, TimeUnit.SECONDS), s.err());
      assertEquals(0, s.process.exitValue(), s.err());
      assertTrue(s.err().contains("validator serve: stopped"), s.err());
    }
    try (Store store = Stores.open(TestDatabases.sqlite(dir), null)) {
      assertEquals(List.of("one", "two"), store.providers().stream()
          .map(p -> p.name()).toList());
      assertEquals(0, store.count(Store.State.RUNNING), "nothing left running, nothing half"
          + " written");
    }
    assertEquals(List.of(), f.leftovers());
  }

  @Test
  void killMinus9DuringAnAttestation_restart_recordedInterruptedOnce() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    // Due within a tenth of a second of the start: the first attestation starts at once.
    f.writeFleet(ServiceFixture.entry("slow", f.hanging(), 1,
        ", \"prepareTimeoutSeconds\": 600"));
    String id;
    try (ServedProcess s = serve(f)) {
      s.await("an attestation running", () -> running(dir) != null);
      id = running(dir).id();
      s.process.destroyForcibly(); // SIGKILL: no hook, no handler runs
      assertTrue(s.process.waitFor(30, TimeUnit.SECONDS));
    }
    // The killed service's prover is an orphan now; the operator's systemd kills the unit's
    // whole cgroup, this test its own processes.
    String never = f.never().toString();
    ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
        .map(c -> c.contains(never)).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
    assertEquals(List.of(), f.leftovers());
    Service again = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 1,
        Duration.ofSeconds(1), null));
    try {
      AttestationRow a = again.store().attestation(id).orElseThrow();
      assertEquals(Store.State.INTERRUPTED, a.state(), a.toString());
      assertEquals(null, a.proverFailure(), "never the prover's failure");
      assertTrue(a.summary().contains("the validator stopped during this attestation"),
          a.summary());
      assertEquals(1, again.store().history("slow", 0, 50).stream()
          .filter(r -> r.id().equals(id)).count(), "no duplicate");
      assertTrue(f.log().contains("was interrupted when the validator stopped"), f.log());
    } finally {
      again.close();
    }
  }

  /**
   * Stopped as a job (Ctrl-C in a terminal, timeout(1)): the signal goes to the service's whole
   * process group. The prover runs in a session of its own, so the signal reaches the service
   * alone, which stops the prover itself; the attestation is recorded as interrupted, never as
   * the prover's failure. (The prover in the service's group died of the same signal at once
   * and was judged: a FAIL at 'prepare', prover.exit, on an honest provider.)
   */
  @Test
  void groupSigtermDuringAnAttestation_recordedInterruptedNotTheProversFailure()
      throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("slow", f.hanging(), 1,
        ", \"prepareTimeoutSeconds\": 600"));
    String id;
    // A stop deadline longer than the judging thread's wait for a stopping JVM (5 s), so that
    // a prover killed by the group's signal would be judged before the service stopped it.
    try (ServedProcess s = ServedProcess.startAsJob(dir, f.fleetFile,
        TestDatabases.sqlite(dir), "host-a", "--stop-timeout", "10")) {
      s.await("an attestation running", () -> running(dir) != null);
      id = running(dir).id();
      s.signalGroup("TERM");
      assertTrue(s.process.waitFor(60, TimeUnit.SECONDS), s.err());
      assertEquals(0, s.process.exitValue(), s.err());
    }
    try (Store store = Stores.open(TestDatabases.sqlite(dir), null)) {
      AttestationRow a = store.attestation(id).orElseThrow();
      assertEquals(Store.State.INTERRUPTED, a.state(), a.toString());
      assertEquals(null, a.proverFailure(), "never the prover's failure");
    }
    assertEquals(List.of(), f.leftovers());
  }

  private static AttestationRow running(Path dir) {
    if (!Files.exists(dir.resolve("service.db"))) {
      return null;
    }
    try (Store store = Stores.open(TestDatabases.sqlite(dir), null)) {
      return store.history("slow", 0, 10).stream()
          .filter(a -> a.state() == Store.State.RUNNING && a.challengeId() != null)
          .findFirst().orElse(null);
    } catch (RuntimeException e) {
      return null; // the service is still migrating it
    }
  }
}
