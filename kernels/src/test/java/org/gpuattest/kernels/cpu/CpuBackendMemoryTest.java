package org.gpuattest.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.kernels.BackendException;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend keeps the memory phase's products in its heap (docs/protocol.md §2.2), so it
 * refuses, before anything is allocated, a kept set the heap cannot hold: a runtime failure
 * (exit 3) naming the device that would not fit and the bytes.
 */
class CpuBackendMemoryTest {
  @Test
  void checkFits_keptSetLargerThanTheHeap_isRefusedNamingTheDeviceAndBytes() {
    long heap = Runtime.getRuntime().maxMemory();
    CpuBackend b = new CpuBackend(1);
    BackendException e = assertThrows(BackendException.class,
        () -> b.checkFits(3, 128, heap / 10 * 3));
    assertTrue(e instanceof RuntimeFailureException, "a fault on the prover's side: exit 3");
    assertTrue(e.getMessage().startsWith("cpu backend: device 2 cannot keep its products for"
        + " the memory phase ("), e.getMessage());
    assertTrue(e.getMessage().contains("MiB of heap, the JVM allows"), e.getMessage());
  }

  @Test
  void checkFits_smallKeptSet_fits() {
    assertDoesNotThrow(() -> new CpuBackend(1).checkFits(2, 128, 4L * 128 * 128 * 8));
  }
}
