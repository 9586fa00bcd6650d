package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cpu.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProverTest {
  static final Ed25519PrivateKey KEY = Ed25519PrivateKey.generate(new SecureRandom());
  @TempDir Path state;

  static MessageCodec.Decoded<Challenge> challenge(int n, int t, int g, Instant issued)
      throws BadMessageException {
    byte[] seed = new byte[32];
    seed[0] = 7;
    Challenge c = new Challenge(1, "00112233445566778899aabbccddeeff", Hex.encode(seed), n, t, g,
        "NVIDIA H100 80GB HBM3", issued.toString(), issued.plusSeconds(600).toString(), 8, null,
        null);
    return MessageCodec.decode("challenge", MessageCodec.encode(c), Challenge.class);
  }

  private Prover prover(org.gpuattest.kernels.Backend b) {
    return new Prover(b, KEY, new PrintWriter(new StringWriter()), Clock.systemUTC());
  }

  @Test
  void prove_cpuBackend_rootsEqualReferenceAndDigestBindsChallenge() throws Exception {
    var c = challenge(64, 3, 2, Instant.now());
    Commitment commitment = prover(new CpuBackend(2)).prove(c, List.of(), state);
    assertEquals(2, commitment.devices().size());
    for (int g = 0; g < 2; g++) {
      byte[][] roots = Reference.matrixRoots(c.value().philoxKey(), g, 64, 3);
      assertEquals(Hex.encode(Reference.deviceRoot(roots)), commitment.devices().get(g).root());
      assertEquals("cpu", commitment.devices().get(g).backend());
    }
    assertEquals(Hex.encode(CommitmentDigest.challengeDigest(c.bytes())),
        commitment.challengeDigest());
    assertArrayEquals(commitment.recomputedDigest(),
        Hex.decode("d", commitment.commitmentDigest(), 32));
    assertTrue(Files.isDirectory(state.resolve(commitment.commitmentDigest())));
  }

  /** Progress comes at a fixed interval, not per share of iterations. */
  @Test
  void prove_slowIterations_progressPrintedAtEveryInterval() throws Exception {
    StringWriter out = new StringWriter();
    new Prover(FakeBackend.slow(2, 300), KEY, new PrintWriter(out), Clock.systemUTC(),
        Duration.ofMillis(50)).prove(challenge(64, 3, 2, Instant.now()), List.of(), state);
    long ticks = out.toString().lines()
        .filter(l -> l.matches("attestor: .* of 3 iterations done on each of 2 devices \\(\\d+ s\\)"))
        .count();
    assertTrue(ticks >= 5, out.toString());
  }

  @Test
  void prove_unwritableState_refusedBeforeAnyDeviceWorks() throws Exception {
    FakeBackend b = FakeBackend.honest(1);
    Path file = Files.writeString(state.resolve("a-file"), "x");
    java.io.IOException e = assertThrows(java.io.IOException.class,
        () -> prover(b).prove(challenge(64, 1, 1, Instant.now()), List.of(),
            file.resolve("state")));
    assertTrue(e.getMessage().startsWith("prover state folder "), e.getMessage());
    assertEquals(0, b.prepared.get(), "a device was prepared before the state was checked");
  }

  /** The thread running prove is interrupted (the validator went away): every device stops. */
  @Test
  void prove_interrupted_stopsPromptlyAndKeepsNoState() throws Exception {
    FakeBackend b = FakeBackend.slow(2, 200);
    Throwable[] thrown = new Throwable[1];
    Thread worker = new Thread(() -> {
      try {
        prover(b).prove(challenge(64, 200, 2, Instant.now()), List.of(), state);
      } catch (Throwable e) {
        thrown[0] = e;
      }
    });
    worker.start();
    Thread.sleep(500);
    worker.interrupt();
    worker.join(5000);
    assertTrue(!worker.isAlive(), "prove kept running after the interrupt");
    assertTrue(thrown[0] instanceof BackendException, String.valueOf(thrown[0]));
    assertTrue(thrown[0].getMessage().contains("interrupted"), thrown[0].getMessage());
    try (Stream<Path> s = Files.list(state)) {
      assertEquals(List.of(), s.toList(), "no state for work that was stopped");
    }
  }

  @Test
  void prove_severalDevices_barrierTimesOverlapAndAreOrdered() throws Exception {
    Commitment commitment = prover(FakeBackend.honest(3))
        .prove(challenge(64, 4, 3, Instant.now()), List.of(), state);
    long latestStart = Long.MIN_VALUE;
    long earliestEnd = Long.MAX_VALUE;
    for (DeviceReport d : commitment.devices()) {
      Timing t = d.timing();
      assertTrue(t.startNanos() <= t.midNanos() && t.midNanos() <= t.endNanos(), t.toString());
      latestStart = Math.max(latestStart, t.startNanos());
      earliestEnd = Math.min(earliestEnd, t.endNanos());
      assertEquals(4_000, t.kernelNanos(), "sum of the fake's per-iteration kernel times");
    }
    assertTrue(latestStart <= earliestEnd, "every device passed start before any passed end");
  }

  @Test
  void prove_oneDeviceFails_othersStopAndNoStateIsLeft() throws Exception {
    FakeBackend failing = new FakeBackend(3, 1, 1);
    BackendException e = assertThrows(BackendException.class, () ->
        assertTimeoutPreemptively(Duration.ofSeconds(30),
            () -> prover(failing).prove(challenge(64, 4, 3, Instant.now()), List.of(), state)));
    assertTrue(e.getMessage().contains("fake device 1 failed at iteration 1"), e.getMessage());
    assertEquals(3, failing.closed.get(), "every device is released");
    try (Stream<Path> files = Files.list(state)) {
      assertEquals(0, files.count(), "no state for a failed proof");
    }
  }

  @Test
  void prove_honestDevices_saysWhatItCheckedBeforeCommitting() throws Exception {
    StringWriter out = new StringWriter();
    new Prover(FakeBackend.honest(2), KEY, new PrintWriter(out), Clock.systemUTC())
        .prove(challenge(64, 3, 2, Instant.now()), List.of(), state);
    List<String> lines = out.toString().lines().toList();
    int checked = lines.indexOf("attestor: checked 4 rows of 2 iterations per device against"
        + " the CPU reference: all equal");
    assertTrue(checked >= 0, out.toString());
    assertTrue(lines.get(checked + 1).startsWith("attestor: committed "), out.toString());
  }

  /** A device that computes one row wrong, consistently: caught when that row is checked. */
  @Test
  void prove_wrongRowOnOneDevice_refusedNamingItAndNothingKept() throws Exception {
    FakeBackend wrong = FakeBackend.faulty(3, FakeBackend.Fault.WRONG_ROW, 2, 17);
    ResultCheck row17 = new ResultCheck((iterations, n) ->
        List.of(new ResultCheck.Pick(iterations - 1, new int[] {3, 17})));
    StringWriter out = new StringWriter();
    Prover p = new Prover(wrong, KEY, new PrintWriter(out), Clock.systemUTC(),
        ProgressReporter.EVERY, row17);
    BackendException e = assertThrows(BackendException.class,
        () -> p.prove(challenge(64, 4, 2, Instant.now()), List.of(0, 2), state));
    assertEquals("device 1 (FAKE-2, Fake GPU): row 17 of C(1,3) differs from the CPU"
        + " reference; not committing", e.getMessage());
    assertNothingCommitted(out, wrong);
  }

  /** Recomputed rows that do not hash to the root iterate gave: caught whatever is picked. */
  @Test
  void prove_rowLeavesDisagreeWithIterate_refusedWithRandomChecks() throws Exception {
    FakeBackend unstable = FakeBackend.faulty(2, FakeBackend.Fault.UNSTABLE_ROW, 0, 9);
    StringWriter out = new StringWriter();
    BackendException e = assertThrows(BackendException.class,
        () -> new Prover(unstable, KEY, new PrintWriter(out), Clock.systemUTC())
            .prove(challenge(64, 3, 2, Instant.now()), List.of(), state));
    assertTrue(e.getMessage().startsWith("device 0 (FAKE-0, Fake GPU): C(0,"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; not committing"), e.getMessage());
    assertNothingCommitted(out, unstable);
  }

  private void assertNothingCommitted(StringWriter progress, FakeBackend b) throws Exception {
    assertTrue(!progress.toString().contains("committed"), progress.toString());
    assertTrue(!progress.toString().contains("all equal"), progress.toString());
    assertEquals(b.prepared.get(), b.closed.get(), "every prepared device is released");
    try (Stream<Path> files = Files.list(state)) {
      assertEquals(List.of(), files.toList(), "no state for a refused proof");
    }
  }

  @Test
  void prove_fewerDevicesThanClaimed_refused() {
    BackendException e = assertThrows(BackendException.class, () ->
        prover(FakeBackend.honest(1)).prove(challenge(64, 1, 2, Instant.now()), List.of(), state));
    assertTrue(e.getMessage().contains("claims 2 devices"), e.getMessage());
  }

  @Test
  void prove_chosenOrdinals_useThoseDevices() throws Exception {
    Commitment commitment = prover(FakeBackend.honest(4))
        .prove(challenge(64, 1, 2, Instant.now()), List.of(3, 1), state);
    assertEquals("FAKE-3", commitment.devices().get(0).uuid());
    assertEquals("FAKE-1", commitment.devices().get(1).uuid());
  }

  @Test
  void prove_expiredChallenge_refusedBeforeAnyWork() {
    FakeBackend b = FakeBackend.honest(2);
    BadMessageException e = assertThrows(BadMessageException.class, () ->
        prover(b).prove(challenge(64, 1, 2, Instant.now().minusSeconds(3600)), List.of(), state));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
    assertEquals(0, b.prepared.get());
  }

  @Test
  void choose_badOrdinals_namedInError() throws Exception {
    assertEquals(List.of(0, 0), Prover.choose(4, 2, List.of(0, 0)),
        "one device may act as two (the validator rejects the duplicate UUID)");
    assertThrows(BadMessageException.class, () -> Prover.choose(4, 2, List.of(0, 4)));
    assertThrows(BadMessageException.class, () -> Prover.choose(4, 2, List.of(0)));
  }
}
