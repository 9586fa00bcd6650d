package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.util.List;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

class SelftestTest {
  private static Selftest.Report run(org.gpuattest.kernels.Backend b, List<Integer> dims,
      StringWriter progress) throws BackendException {
    return new Selftest(b, Selftest.reference(), new SecureRandom())
        .run(dims, 2, new PrintWriter(progress));
  }

  @Test
  void run_cpuBackend_everyCaseEqualsTheReference() throws Exception {
    StringWriter progress = new StringWriter();
    Selftest.Report r = run(new CpuBackend(3), List.of(64, 192), progress);
    assertTrue(r.pass(), r.toString());
    assertEquals("cpu", r.backend());
    assertEquals("the CPU reference", r.expected());
    assertEquals(1, r.devices().size(), "the CPU backend is tested as one device");
    assertEquals(3, r.devices().get(0).smCount(), "one 'SM' per worker thread");
    assertEquals(2, r.cases().size());
    assertEquals(List.of(64, 192), r.cases().stream().map(Selftest.CaseResult::dim).toList());
    assertNotEquals(r.cases().get(0).seed(), r.cases().get(1).seed(), "a fresh seed per case");
    for (Selftest.CaseResult c : r.cases()) {
      assertTrue(c.pass());
      assertNull(c.firstDifference());
      assertEquals(3, c.smCount());
      assertTrue(c.smsUsed() >= 1 && c.smsUsed() <= 3, "SMs used " + c.smsUsed());
      assertTrue(c.busyFraction() >= 0 && c.busyFraction() <= 1);
      assertTrue(c.kernelNanos() > 0);
    }
    assertTrue(progress.toString().contains("selftest device 0, n=192: equal"), progress.toString());
  }

  /** Device 1 gets one bit of row 3 wrong in every matrix: every case of it fails at r(1,0). */
  @Test
  void run_corruptDevice_failsNamingDeviceSizeAndFirstRoot() throws Exception {
    StringWriter progress = new StringWriter();
    Selftest.Report r = run(FakeBackend.faulty(2, FakeBackend.Fault.WRONG_ROW, 1, 3),
        List.of(64, 128), progress);
    assertFalse(r.pass());
    assertEquals(4, r.cases().size(), "2 devices x 2 sizes");
    for (Selftest.CaseResult c : r.cases()) {
      assertEquals(c.device() == 0, c.pass(), c.toString());
      if (c.device() == 1) {
        assertEquals(0, c.firstDifference().iteration());
        assertEquals("r(1,0)", c.firstDifference().matrix());
        PhiloxKey key = PhiloxKey.fromSeed(org.gpuattest.common.util.Hex.decode("s", c.seed(),
            32));
        assertEquals(org.gpuattest.common.util.Hex.encode(
            Reference.matrixRoots(key, 1, c.dim(), 1)[0]), c.firstDifference().expectedRoot(),
            "the expected root is the reference's for the case's seed");
        assertNotEquals(c.firstDifference().expectedRoot(), c.firstDifference().deviceRoot());
      }
    }
    assertTrue(progress.toString().contains("selftest device 1, n=128: r(1,0) differs"),
        progress.toString());
  }

  @Test
  void run_noDevices_noDeviceException() {
    Selftest.NoDeviceException e = assertThrows(Selftest.NoDeviceException.class,
        () -> run(FakeBackend.honest(0), List.of(64), new StringWriter()));
    assertEquals("cpu backend: no usable device found", e.getMessage());
  }

  @Test
  void run_deviceFails_runtimeFailureNamingDeviceAndSize() {
    BackendException e = assertThrows(BackendException.class,
        () -> run(new FakeBackend(1, 0, 1), List.of(64), new StringWriter()));
    assertEquals("device 0 (FAKE-0), n=64: fake device 0 failed at iteration 1", e.getMessage());
  }

  @Test
  void cpuBackendExpected_equalsTheReference() throws Exception {
    PhiloxKey key = PhiloxKey.fromSeed(new byte[32]);
    byte[][] fast = Selftest.cpuBackend(2).matrixRoots(key, 1, 128, 2);
    byte[][] model = Reference.matrixRoots(key, 1, 128, 2);
    for (int t = 0; t < 2; t++) {
      assertArrayEquals(model[t], fast[t]);
    }
  }

  @Test
  void smsUsed_countsDistinctSmIdsWithBlocks_evenPastTheSmCount() {
    // 3 SMs whose ids are 0, 2 and 5 (sparse, as on an H100 SXM: issue 19, A3).
    var m = new org.gpuattest.common.message.SmMonitor(new long[] {3, 0, 1, 0, 0, 5}, 0.5);
    assertEquals(3, m.coveredSms());
  }
}
