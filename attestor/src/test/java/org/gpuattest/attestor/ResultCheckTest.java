package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.junit.jupiter.api.Test;

/** The prover's spot check before signing (docs/protocol.md §3, "Before the prover signs"). */
class ResultCheckTest {
  @org.junit.jupiter.api.io.TempDir java.nio.file.Path state;

  private static final int N = 64;
  private static final int T = 3;

  /** Checks row 17 of the last iteration and rows 0 and 63 of iteration 0 on every device. */
  private static final ResultCheck FIXED = new ResultCheck((iterations, n) -> List.of(
      new ResultCheck.Pick(iterations - 1, new int[] {17}),
      new ResultCheck.Pick(0, new int[] {0, n - 1})));

  /** Runs every device of {@code b} through the challenge and checks it with {@code check}. */
  private static String runAndCheck(FakeBackend b, ResultCheck check) throws Exception {
    Challenge c = ProverTest.challenge(N, T, 2, Instant.now()).value();
    List<Device> devices = b.devices(2);
    byte[][][] roots = new byte[2][T][];
    for (int g = 0; g < 2; g++) {
      devices.get(g).prepare(c.philoxKey(), g, N);
      for (int t = 0; t < T; t++) {
        roots[g][t] = devices.get(g).iterate(t).matrixRoot();
      }
    }
    StringWriter progress = new StringWriter();
    check.check(devices, c, roots, new PrintWriter(progress));
    return progress.toString();
  }

  /**
   * In a prover's run the spot check's picks are made, and their CPU rows started, before the
   * devices begin (none prepared yet), so that only the comparison is left after them on the
   * validator's clock; and the rows computed then are the ones compared (the commitment is
   * made).
   */
  @Test
  void prove_cpuRowsStartBeforeTheDevicesRun() throws Exception {
    FakeBackend b = FakeBackend.honest(2);
    List<Integer> preparedAtPick = new java.util.concurrent.CopyOnWriteArrayList<>();
    ResultCheck recording = new ResultCheck((iterations, n) -> {
      preparedAtPick.add(b.prepared.get());
      return List.of(new ResultCheck.Pick(iterations - 1, new int[] {17}));
    });
    StringWriter progress = new StringWriter();
    new Prover(b, ProverTest.KEY, new PrintWriter(progress), java.time.Clock.systemUTC(),
        ProgressReporter.EVERY, recording).prove(ProverTest.challenge(N, T, 2, Instant.now()),
            List.of(), state);
    assertEquals(List.of(0, 0), preparedAtPick);
    assertTrue(progress.toString().contains("checked 1 row of 1 iteration per device against"
        + " the CPU reference: all equal"), progress.toString());
  }

  @Test
  void check_honestDevices_passesAndSaysWhatWasChecked() throws Exception {
    String progress = runAndCheck(FakeBackend.honest(2), FIXED);
    assertEquals("attestor: checked 3 rows of 2 iterations per device against the CPU"
        + " reference: all equal\n", progress.replace(System.lineSeparator(), "\n"));
  }

  @Test
  void check_wrongRowChosen_refusesNamingDeviceRowAndMatrix() {
    BackendException e = assertThrows(BackendException.class, () -> runAndCheck(
        FakeBackend.faulty(2, FakeBackend.Fault.WRONG_ROW, 1, 17), FIXED));
    assertEquals("device 1 (FAKE-1, Fake GPU): row 17 of C(1,2) differs from the CPU"
        + " reference; not committing", e.getMessage());
  }

  /** A spot check, not a proof: a wrong row it does not pick goes through (sampling's job). */
  @Test
  void check_wrongRowNotChosen_passes() throws Exception {
    String progress = runAndCheck(FakeBackend.faulty(2, FakeBackend.Fault.WRONG_ROW, 1, 40),
        FIXED);
    assertTrue(progress.contains("all equal"), progress);
  }

  @Test
  void check_rowLeavesDisagreeWithIterate_refusedWhicheverRowsArePicked() {
    BackendException e = assertThrows(BackendException.class, () -> runAndCheck(
        FakeBackend.faulty(2, FakeBackend.Fault.UNSTABLE_ROW, 0, 40),
        ResultCheck.random(new SecureRandom())));
    assertTrue(e.getMessage().startsWith("device 0 (FAKE-0, Fake GPU): C(0,"), e.getMessage());
    assertTrue(e.getMessage().contains("recomputed on the device has root"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; not committing"), e.getMessage());
  }

  @Test
  void check_failingDevice_namedAndNotCommitting() {
    FakeBackend failing = FakeBackend.honest(2); // asked for row n, which does not exist
    ResultCheck outOfRange = new ResultCheck((iterations, n) ->
        List.of(new ResultCheck.Pick(iterations - 1, new int[] {n})));
    BackendException e = assertThrows(BackendException.class,
        () -> runAndCheck(failing, outOfRange));
    assertTrue(e.getMessage().startsWith("device 0 (FAKE-0, Fake GPU): checking the results"
        + " failed"), e.getMessage());
  }

  @Test
  void random_picksTheLastIterationAndAnotherWithDistinctRowsInRange() {
    ResultCheck.Chooser chooser = ResultCheck.randomChooser(new SecureRandom());
    Set<Integer> others = new HashSet<>();
    for (int run = 0; run < 200; run++) {
      List<ResultCheck.Pick> picks = chooser.choose(5, 64);
      assertEquals(2, picks.size());
      assertEquals(4, picks.get(0).iteration(), "the last iteration is always checked");
      int other = picks.get(1).iteration();
      assertTrue(other >= 0 && other < 4, "another iteration: " + other);
      others.add(other);
      for (ResultCheck.Pick p : picks) {
        assertEquals(2, p.rows().length);
        assertNotEquals(p.rows()[0], p.rows()[1]);
        for (int i : p.rows()) {
          assertTrue(i >= 0 && i < 64, "row " + i);
        }
      }
    }
    assertEquals(Set.of(0, 1, 2, 3), others, "every earlier iteration can be picked");
    assertEquals(1, chooser.choose(1, 64).size(), "T = 1: only the last (and only) one");
    assertEquals(0, chooser.choose(1, 64).get(0).iteration());
  }
}
