package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What of the product kernel's choice only the fake driver can stage: a driver whose occupancy
 * query disagrees with the geometry table (the emulated driver answers from the PTX's
 * registers and the table, so it always agrees), and the launch contract the fake itself keeps
 * for the wide kernel's shared memory. Which kernel runs, and each refusal and its reason, is
 * shown on emulated GPUs that run the shipped PTX: EmulatedProductChoiceTest.
 */
class ProductChoiceTest {
  private static CudaDevice device(FakeCudaDriver d, List<String> warnings) throws Exception {
    return (CudaDevice) CudaBackend.open(d, warnings::add).devices(1).get(0);
  }

  @Test
  void driverOccupancyOtherThanTheTable_isWarned() throws Exception {
    // A driver whose compiler gave matmul_dmma more registers: 3 blocks per SM, not 4.
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.occupancy.put("matmul_dmma", 3);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.allocate(192);
      assertEquals(3, dev.blocksPerSm());
    }
    assertEquals(List.of("cuda device 0 (Fake GPU 0): the driver holds 3 blocks of matmul_dmma"
        + " per SM, the geometry table 4 (compute capability 9.0); the validator's SM bounds"
        + " assume 4"), warnings);
  }

  @Test
  void fakeDriver_refusesAWideLaunchWithoutTheAttributeOrWithTooLittleSharedMemory()
      throws Exception {
    // The seam's contract, as a GPU enforces it: what the device must do before launching.
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    CudaDriver.Context ctx = d.retainContext(0);
    d.setCurrent(ctx);
    CudaDriver.Module m = d.loadModule(PtxLibrary.text("matmul_dmma_wide.ptx"));
    CudaDriver.Function f = d.function(m, "matmul_dmma_wide_unmonitored");
    CudaDriver.Stream s = d.createStream();
    DevicePointer p = d.allocate(8L * 128 * 128);
    CudaException e = assertThrows(CudaException.class, () -> d.launch(f,
        KernelGeometry.dmmaWideGrid(128), KernelGeometry.dmmaBlock(),
        KernelGeometry.DMMA_WIDE_SHARED_BYTES, s, p, p, p, 128));
    assertEquals(CudaException.INVALID_VALUE, e.code());
    d.setMaxDynamicSharedBytes(f, KernelGeometry.DMMA_WIDE_SHARED_BYTES);
    assertThrows(IllegalArgumentException.class, () -> d.launch(f,
        KernelGeometry.dmmaWideGrid(128), KernelGeometry.dmmaBlock(), 0, s, p, p, p, 128));
    d.launch(f, KernelGeometry.dmmaWideGrid(128), KernelGeometry.dmmaBlock(),
        KernelGeometry.DMMA_WIDE_SHARED_BYTES, s, p, p, p, 128);
    d.synchronize(s);
    d.free(p);
    d.destroyStream(s);
    d.unloadModule(m);
    d.releaseContext(ctx);
  }
}
