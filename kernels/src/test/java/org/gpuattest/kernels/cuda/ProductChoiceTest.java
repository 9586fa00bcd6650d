package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.Device;
import org.junit.jupiter.api.Test;

/**
 * Which product kernel a device runs (ProductChoice, docs/benchmarks.md "Product kernel
 * versions"), over the fake driver (4 SMs, so n = 256 gives the wide kernel a block for each):
 * matmul_dmma_wide where n is a multiple of 128, its grid fills the SMs and its probe agrees;
 * matmul_dmma where n is not, where the wide grid leaves SMs empty, or where the wide kernel's
 * probe disagrees or its shared memory is refused, if its own probe agrees; FFMA otherwise; each refusal said once on stderr
 * with the kernel and why. Every case also checks the roots against the CPU reference.
 */
class ProductChoiceTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  private static CudaDevice device(FakeCudaDriver d, List<String> warnings) throws Exception {
    return (CudaDevice) CudaBackend.open(d, warnings::add).devices(1).get(0);
  }

  private static long launches(FakeCudaDriver d, String entry) {
    return d.launchLog.stream().filter(l -> l.equals("0:" + entry)).count();
  }

  @Test
  void nMultipleOf128_agreeingProbe_runsTheWideKernel_withItsSharedMemory() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.DMMA_WIDE, dev.product());
      assertEquals(1, dev.blocksPerSm(), "112128 bytes of shared memory: one block per SM");
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 2)[1], dev.iterate(1).matrixRoot());
      assertEquals(2, launches(d, "matmul_dmma_wide"), "the probe, then iteration 1's product");
      assertEquals(0, launches(d, "matmul_dmma_wide_unmonitored"), "the probe runs what runs");
      assertEquals(0, launches(d, "matmul_dmma"), "no need to probe the 64 x 64");
    }
    assertEquals(List.of(), warnings);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void nNotAMultipleOf128_runsThe64x64Kernel_withoutProbingTheWideOne() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 192);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 192, 1)[0], dev.iterate(0).matrixRoot());
      assertEquals(0, d.launchLog.stream().filter(l -> l.contains("wide")).count());
    }
    assertEquals(List.of(), warnings, "taking the 64 x 64 kernel for such n is no fallback");
  }

  @Test
  void wideProbeDisagrees_fallsBackTo64x64_andSaysWhichAndWhy() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.corrupt.add("matmul_dmma_wide");
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(List.of("cuda device 0 (Fake GPU 0): the tensor-core product matmul_dmma_wide"
        + " differs from the CPU reference on a test case; using the tensor-core kernel"
        + " matmul_dmma"), warnings);
  }

  @Test
  void bothProbesDisagree_fallsBackToFfma_andSaysSoForEach() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.corrupt.add("matmul_dmma_wide");
    d.corrupt.add("matmul_dmma");
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.FFMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("matmul_dmma_wide differs from the CPU reference"),
        warnings.get(0));
    assertTrue(warnings.get(1).contains("matmul_dmma differs from the CPU reference"),
        warnings.get(1));
    for (String w : warnings) {
      assertTrue(w.endsWith("; using the FFMA kernel (matmul_ffma)"), w);
    }
  }

  @Test
  void verdictsKeptPerGpu_aSecondDeviceNeitherProbesNorWarnsAgain() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.corrupt.add("matmul_dmma_wide");
    List<String> warnings = new ArrayList<>();
    CudaBackend b = CudaBackend.open(d, warnings::add);
    for (int round = 0; round < 2; round++) {
      try (CudaDevice dev = (CudaDevice) b.devices(1).get(0)) {
        dev.prepare(KEY, 0, 256);
        assertEquals(ProductKernel.DMMA, dev.product());
      }
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertEquals(1, launches(d, "matmul_dmma_wide"), "its probe, once");
    assertEquals(1, launches(d, "matmul_dmma"), "its probe, once (prepare runs no product)");
  }

  @Test
  void bothProbesDisagreeAtOnce_oneWarningEach_namingFfma() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.maxDynamicSharedBytes = 99 * 1024; // the wide kernel refused by the GPU ...
    d.corrupt.add("matmul_dmma"); // ... and the 64 x 64 one wrong
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 128);
      assertEquals(ProductKernel.FFMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 128, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(2, warnings.size(), warnings.toString());
    for (String w : warnings) {
      assertTrue(w.endsWith("; using the FFMA kernel (matmul_ffma)"), w);
    }
  }

  @Test
  void sharedMemoryRefused_likeSm86_fallsBackTo64x64_namingTheBytes() throws Exception {
    FakeCudaDriver d = new FakeCudaDriver(12060,
        List.of(FakeCudaDriver.gpu(0, 4, 1L << 30, 8, 6)));
    d.maxDynamicSharedBytes = 99 * 1024;
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
      assertEquals(0, d.launchLog.stream().filter(l -> l.contains("wide")).count(),
          "never launched");
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("matmul_dmma_wide cannot have its 112128 bytes of shared"
        + " memory per block on this GPU (cuFuncSetAttribute"), warnings.get(0));
    assertTrue(warnings.get(0).endsWith("using the tensor-core kernel matmul_dmma"));
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void olderGpu_runsFfma_withoutProbingOrWarning() throws Exception {
    FakeCudaDriver d = new FakeCudaDriver(12060,
        List.of(FakeCudaDriver.gpu(0, 4, 1L << 30, 7, 5)));
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 128);
      assertEquals(ProductKernel.FFMA, dev.product());
      assertEquals(List.of(ProductKernel.FFMA), dev.benchable());
    }
    assertEquals(List.of(), warnings);
  }

  @Test
  void wideGridLeavesSmsEmpty_runsThe64x64Kernel_withoutProbingTheWideOne_andSaysWhy()
      throws Exception {
    // n = 128 on the fake's 4 SMs: one 128 x 128 block (25% of SM time), four 64 x 64 ones.
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 128);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertEquals("matmul_dmma: grid fill on 4 SMs: matmul_dmma_wide (1 block) keeps 25% of"
          + " the SM time at work, matmul_dmma (4 blocks) 100%", dev.kernel().orElseThrow()
          .reason());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 128, 1)[0], dev.iterate(0).matrixRoot());
      assertEquals(0, d.launchLog.stream().filter(l -> l.contains("wide")).count());
    }
    assertEquals(List.of(), warnings);
  }

  @Test
  void kernel_namesTheChoiceAndTheRefusalBeforeIt() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.corrupt.add("matmul_dmma_wide");
    try (CudaDevice dev = device(d, new ArrayList<>())) {
      dev.allocate(256);
      assertEquals(new KernelChoice("matmul_dmma", "matmul_dmma: matmul_dmma_wide refused:"
          + " differs from the CPU reference on a test case"), dev.kernel().orElseThrow());
    }
    try (CudaDevice dev = device(CudaFakes.driver(1, 1L << 30), new ArrayList<>())) {
      dev.allocate(256);
      assertEquals(new KernelChoice("matmul_dmma_wide",
          "matmul_dmma_wide: the fastest kernel for this GPU at n = 256"),
          dev.kernel().orElseThrow());
    }
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
