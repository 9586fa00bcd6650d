package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.gpuattest.service.Service;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.TestDatabases;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service through its scheduler with real provers (the CPU attestor as a process): one
 * honest, one failing (it signs with a key other than the pinned one), one hanging (it never
 * answers). Each is attested as it behaves, again and again, never twice at once; only the
 * hanging one times out; every verdict is archived first and re-verifies; a stop with an
 * attestation still running records it as interrupted, never as the prover's failure, and
 * leaves no process behind. Counts, not times.
 */
class ServiceEndToEndTest {
  @TempDir Path dir;

  @Test
  void serve_honestFailingHanging_eachAttestedAsItBehavesAndNothingLeftRunning()
      throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    Path own = f.key("prover-own");
    f.key("pinned");
    f.writeFleet(
        ServiceFixture.entry("honest", f.honest(), 1, ""),
        ServiceFixture.entry("failing", f.signingWith(own), 1,
            ", \"proverKey\": \"pinned.pub.pem\""),
        ServiceFixture.entry("hanging", f.hanging(), 1, ", \"prepareTimeoutSeconds\": 2"));
    AtomicInteger overlaps = new AtomicInteger();
    Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 2, Duration.ofSeconds(5),
        null));
    Store store = s.store();
    try {
      f.await("two passes, two failed signatures and a timeout", () -> {
        for (String p : List.of("honest", "failing", "hanging")) {
          long running = store.history(p, 0, 50).stream()
              .filter(a -> a.state() == Store.State.RUNNING).count();
          if (running > 1) {
            overlaps.incrementAndGet();
          }
        }
        if (store.count(Store.State.RUNNING) > 2) {
          overlaps.incrementAndGet();
        }
        return count(store, "honest", Store.State.PASSED) >= 2
            && count(store, "failing", Store.State.FAILED) >= 2
            && count(store, "hanging", Store.State.FAILED) >= 1;
      });
    } finally {
      s.close();
    }
    assertEquals(0, overlaps.get(), "a provider ran twice at once, or over the concurrency");
    for (AttestationRow a : store.history("honest", 0, 50)) {
      assertTrue(a.state() == Store.State.PASSED || a.state() == Store.State.INTERRUPTED,
          a.toString());
    }
    for (AttestationRow a : store.history("failing", 0, 50)) {
      if (a.state() == Store.State.FAILED) {
        assertEquals("signature.prover", a.failedChecks(), a.toString());
        assertEquals(null, a.proverFailure(), "a verdict, not a prover failure");
      }
    }
    AttestationRow timedOut = store.history("hanging", 0, 50).stream()
        .filter(a -> a.state() == Store.State.FAILED).findFirst().orElseThrow();
    assertEquals("prover.timeout", timedOut.proverFailure());
    assertEquals(0, store.count(Store.State.RUNNING), "nothing left running after the stop");
    assertTrue(store.provider("hanging").orElseThrow().failuresInARow() >= 1);
    assertEquals(0, store.provider("honest").orElseThrow().failuresInARow());

    AttestationRow pass = store.history("honest", 0, 50).stream()
        .filter(a -> a.state() == Store.State.PASSED).findFirst().orElseThrow();
    assertNotNull(pass.archivePath(), "archived first");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ValidatorCli.run(new String[] {"reverify", pass.archivePath(), "--validator-key",
        dir.resolve("archive-key.pub.pem").toString()}, new ByteArrayInputStream(new byte[0]),
        new PrintWriter(out), new PrintWriter(err));
    assertEquals(0, code, "the archived exchange re-verifies: " + out + err);

    ByteArrayOutputStream metrics = new ByteArrayOutputStream();
    s.metrics().write(metrics);
    String text = metrics.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("gpu_attest_prover_failures_total{provider=\"hanging\","
        + "reason=\"prover.timeout\"}"), text);
    assertTrue(text.lines().anyMatch(l -> l.startsWith("gpu_attest_attestations_total{model=\""
        + ServiceFixture.MODEL + "\",outcome=\"pass\",provider=\"honest\"}")), text);
    assertEquals(List.of(), f.leftovers());
  }

  /**
   * A prover still preparing when the service stops: stopped at the deadline with its process
   * tree, recorded as interrupted on the validator's side, nothing archived for it.
   */
  @Test
  void close_attestationRunningAtTheDeadline_interruptedNotTheProversFailure()
      throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("slow", f.hanging(), 3600,
        ", \"prepareTimeoutSeconds\": 600"));
    Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 1,
        Duration.ofMillis(500), null));
    Store store = s.store();
    String id = s.attestNow("slow").orElseThrow();
    f.await("the attestation is running", () -> store.attestation(id)
        .map(a -> a.state() == Store.State.RUNNING && a.challengeId() != null).orElse(false));
    s.close();
    AttestationRow a = store.attestation(id).orElseThrow();
    assertEquals(Store.State.INTERRUPTED, a.state(), a.toString());
    assertEquals(null, a.proverFailure());
    assertEquals(null, a.archivePath());
    assertTrue(a.summary().contains("not the prover's failure"), a.summary());
    assertEquals(0, store.provider("slow").orElseThrow().failuresInARow());
    assertTrue(!Files.exists(dir.resolve("archive")) || Files.walk(dir.resolve("archive"))
        .noneMatch(p -> p.getFileName().toString().equals(a.challengeId())));
    assertEquals(List.of(), f.leftovers());
  }

  /**
   * A prover that floods its stderr, then writes one endless line on stdout and hangs: it
   * fails by itself (a prover.* check), the service shows at most {@code ProverLog.MAX_LINES}
   * of its lines per attestation, and the honest provider beside it still passes.
   */
  @Test
  void serve_floodingProver_onlyItFailsAndItsLinesAreCapped() throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("honest", f.honest(), 3600, ""),
        ServiceFixture.entry("flood", "yes flooding | head -n 20000 >&2; head -c 40000000"
            + " /dev/zero | tr '\\0' x; sleep 60 #", 3600, ", \"prepareTimeoutSeconds\": 5"));
    Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 2, Duration.ofSeconds(5),
        null));
    Store store = s.store();
    try {
      String flood = s.attestNow("flood").orElseThrow();
      String honest = s.attestNow("honest").orElseThrow();
      f.await("both ended", () -> store.attestation(flood).orElseThrow().state().finished()
          && store.attestation(honest).orElseThrow().state().finished());
      AttestationRow a = store.attestation(flood).orElseThrow();
      assertEquals(Store.State.FAILED, a.state(), a.toString());
      assertTrue(a.proverFailure() != null && a.proverFailure().startsWith("prover."),
          a.toString());
      assertEquals(Store.State.PASSED, store.attestation(honest).orElseThrow().state());
    } finally {
      s.close();
    }
    long shown = f.log().lines().filter(l -> l.startsWith("validator serve: [flood] prover:"
        + " flooding")).count();
    // Retried after its failure, it may have run more than once before the stop: per run.
    long runs = store.history("flood", 0, 50).size();
    assertTrue(shown > 0 && shown <= 200 * runs, shown + " lines shown over " + runs + " runs");
    assertTrue(f.log().contains("[flood] ") && f.log().contains(" more lines of this"
        + " attestation were not shown"), "the rest counted");
    assertEquals(List.of(), f.leftovers());
  }

  /**
   * A provider whose connection drops mid-conversation (as an SSH session that dies): the real
   * prover behind a pipe that passes its first line, 'ready', then closes, so the go finds the
   * connection gone. Its attestation is the prover's failure (a prover.* check), archived as
   * such, and the honest provider beside it still passes; nothing is left running.
   */
  @Test
  void serve_proverDropsTheConnection_onlyItFailsAsTheProversFailureArchived()
      throws Exception {
    ServiceFixture f = new ServiceFixture(dir);
    f.writeFleet(ServiceFixture.entry("honest", f.honest(), 3600, ""),
        ServiceFixture.entry("dropping", "sh -c '" + f.attestor + " \"$@\" | head -n 1' drop",
            3600, ""));
    Service s = f.start(f.config(TestDatabases.sqlite(dir), "host-a", 2, Duration.ofSeconds(5),
        null));
    Store store = s.store();
    AttestationRow dropped;
    try {
      String drop = s.attestNow("dropping").orElseThrow();
      String honest = s.attestNow("honest").orElseThrow();
      f.await("both ended", () -> store.attestation(drop).orElseThrow().state().finished()
          && store.attestation(honest).orElseThrow().state().finished());
      dropped = store.attestation(drop).orElseThrow();
      assertEquals(Store.State.PASSED, store.attestation(honest).orElseThrow().state(),
          f.log());
    } finally {
      s.close();
    }
    assertEquals(Store.State.FAILED, dropped.state(), dropped + "\n" + f.log());
    assertTrue(dropped.proverFailure() != null && dropped.proverFailure().startsWith("prover."),
        dropped.toString());
    assertNotNull(dropped.archivePath(), "the prover's failure is archived: " + dropped);
    ArchivedExchange x = ArchivedExchange.read(Path.of(dropped.archivePath()));
    assertEquals(dropped.proverFailure(), x.record().proverFailure().check());
    assertEquals("dropping", x.record().provider());
    assertTrue(x.verdict().checks().stream().anyMatch(c -> c.name().equals(
        dropped.proverFailure()) && c.failed()), x.verdict().checks().toString());
    assertEquals(0, store.provider("honest").orElseThrow().failuresInARow());
    assertEquals(1, store.provider("dropping").orElseThrow().failuresInARow());
    assertEquals(List.of(), f.leftovers());
  }

  private static long count(Store store, String provider, Store.State state) {
    return store.history(provider, 0, 200).stream().filter(a -> a.state() == state).count();
  }
}
