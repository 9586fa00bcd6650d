package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.kernels.cuda.CudaDriver.DeviceProperties;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.CudaDriver.Function;
import org.gpuattest.kernels.cuda.CudaDriver.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What the emulated driver refuses before anything runs, with the CUresult a real driver
 * gives: a PTX too new for the driver or aimed above the GPU, arguments that do not match the
 * .entry, blocks and grids past the limits, dynamic shared memory over the function's limit
 * or the architecture's (sm_80 163 KiB, sm_90 227 KiB); and its occupancy, which for the
 * product kernels is common's geometry table (ptxas 13.0's registers).
 */
class EmulatedLaunchChecksTest {
  private static final int WIDE = KernelGeometry.DMMA_WIDE_SHARED_BYTES;

  private static EmulatedCudaDriver gpu(int driverVersion, int major, int minor) {
    DeviceProperties h = EmulatedGpus.h100(0);
    return new EmulatedCudaDriver(driverVersion, List.of(new DeviceProperties(h.name(),
        h.uuid(), h.pciBusId(), major, minor, 4, 64L << 20)));
  }

  private static EmulatedCudaDriver opened(int driverVersion, int major, int minor)
      throws CudaException {
    EmulatedCudaDriver d = gpu(driverVersion, major, minor);
    d.setCurrent(d.retainContext(0));
    return d;
  }

  private static void refused(int code, Executable call) {
    CudaException e = assertThrows(CudaException.class, call);
    assertEquals(code, e.code(), e.getMessage());
  }

  @Test
  void loadModule_isaNewerThanTheDriver_unsupportedPtxVersionWithTheLog() throws Exception {
    EmulatedCudaDriver d = opened(12060, 9, 0);
    CudaException e = assertThrows(CudaException.class,
        () -> d.loadModule(TinyPtx.storeAt("8.7", "sm_80")));
    assertEquals(CudaException.UNSUPPORTED_PTX_VERSION, e.code());
    assertTrue(e.getMessage().startsWith("cuModuleLoadDataEx:"
        + " CUDA_ERROR_UNSUPPORTED_PTX_VERSION (222): ptxas application ptx input, line "),
        e.getMessage());
    d.function(d.loadModule(TinyPtx.storeAt("8.5", "sm_80")), "store_at");
    EmulatedCudaDriver newer = opened(12080, 9, 0);
    newer.function(newer.loadModule(TinyPtx.storeAt("8.7", "sm_80")), "store_at");
  }

  @Test
  void loadModule_targetAboveTheGpu_refused() throws Exception {
    EmulatedCudaDriver d = opened(12060, 8, 0);
    CudaException e = assertThrows(CudaException.class,
        () -> d.loadModule(TinyPtx.storeAt("7.0", "sm_90")));
    assertEquals(CudaException.INVALID_PTX, e.code(), "as ptxas refuses it: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("cuModuleLoadDataEx: CUDA_ERROR_INVALID_PTX (218):"
        + " ptxas application ptx input, line "), e.getMessage());
    refused(CudaException.NOT_FOUND, () -> d.function(d.loadModule(TinyPtx.STORE_AT), "nope"));
  }

  @Test
  void launch_argumentsUnlikeTheEntry_invalidValue() throws Exception {
    EmulatedCudaDriver d = opened(12060, 9, 0);
    Stream s = d.createStream();
    Function f = d.function(d.loadModule(TinyPtx.STORE_AT), "store_at");
    DevicePointer p = d.allocate(256);
    refused(CudaException.INVALID_VALUE, () -> d.launch(f, Dim3.of(1), Dim3.of(64), 0, s, p));
    refused(CudaException.INVALID_VALUE, () -> d.launch(f, Dim3.of(1), Dim3.of(64), 0, s, p,
        1L)); // a u32 parameter given 8 bytes
    refused(CudaException.INVALID_VALUE, () -> d.launch(f, Dim3.of(1), Dim3.of(64), 0, s, 7,
        1)); // a u64 parameter given 4
    assertThrows(IllegalArgumentException.class,
        () -> d.launch(f, Dim3.of(1), Dim3.of(64), 0, s, p, "1"));
    d.launch(f, Dim3.of(1), Dim3.of(64), 0, s, p, 0);
    d.synchronize(s);
    assertEquals(1, d.launches(0), "only the good launch was queued");
  }

  @Test
  void launch_blockAndGridPastTheLimits_refused() throws Exception {
    EmulatedCudaDriver d = opened(12060, 9, 0);
    Stream s = d.createStream();
    Function small = d.function(d.loadModule(TinyPtx.STORE_AT), "store_at");
    Function fill = d.function(d.loadModule(PtxLibrary.text("philox_fill.ptx")), "philox_fill");
    DevicePointer p = d.allocate(1 << 16);
    Object[] fillArgs = {p, 16L, 1, 2, 0, 0, 0};
    refused(LaunchChecks.LAUNCH_OUT_OF_RESOURCES,
        () -> d.launch(small, Dim3.of(1), Dim3.of(65), 0, s, p, 0)); // .maxntid 64
    refused(CudaException.INVALID_VALUE,
        () -> d.launch(fill, Dim3.of(1), Dim3.of(1025), 0, s, fillArgs));
    refused(CudaException.INVALID_VALUE,
        () -> d.launch(fill, Dim3.of(1), new Dim3(1, 1, 65), 0, s, fillArgs));
    refused(CudaException.INVALID_VALUE,
        () -> d.launch(fill, Dim3.of(1, 65536), Dim3.of(32), 0, s, fillArgs));
    refused(CudaException.INVALID_VALUE,
        () -> d.launch(fill, Dim3.of(0), Dim3.of(32), 0, s, fillArgs));
    d.launch(fill, Dim3.of(1, 65535), Dim3.of(32, 32), 0, s, fillArgs); // the most y: allowed
    assertEquals(1, d.launches(0));
  }

  @Test
  void wideKernel_sharedMemory_onlyAfterTheAttribute_andWithinTheArchitecture()
      throws Exception {
    EmulatedCudaDriver d = opened(12060, 9, 0);
    Stream s = d.createStream();
    Function f = d.function(d.loadModule(PtxLibrary.text("matmul_dmma_wide.ptx")),
        "matmul_dmma_wide_unmonitored");
    DevicePointer p = d.allocate(8L * 128 * 128);
    Dim3 grid = KernelGeometry.dmmaWideGrid(128);
    Dim3 block = KernelGeometry.dmmaBlock();
    refused(CudaException.INVALID_VALUE, () -> d.launch(f, grid, block, WIDE, s, p, p, p, 128));
    refused(CudaException.INVALID_VALUE, () -> d.setMaxDynamicSharedBytes(f, 227 * 1024 + 1));
    d.setMaxDynamicSharedBytes(f, WIDE);
    refused(CudaException.INVALID_VALUE,
        () -> d.launch(f, grid, block, WIDE + 1, s, p, p, p, 128));
    d.launch(f, grid, block, WIDE, s, p, p, p, 128);
    assertEquals(1, d.launches(0));

    EmulatedCudaDriver ampere = opened(12060, 8, 0);
    Function a = ampere.function(ampere.loadModule(PtxLibrary.text("matmul_dmma_wide.ptx")),
        "matmul_dmma_wide");
    ampere.setMaxDynamicSharedBytes(a, WIDE);
    refused(CudaException.INVALID_VALUE, () -> ampere.setMaxDynamicSharedBytes(a,
        163 * 1024 + 1));
    EmulatedCudaDriver ada = opened(12060, 8, 9); // 99 KiB a block: the wide kernel cannot run
    Function w = ada.function(ada.loadModule(PtxLibrary.text("matmul_dmma_wide.ptx")),
        "matmul_dmma_wide");
    refused(CudaException.INVALID_VALUE, () -> ada.setMaxDynamicSharedBytes(w, WIDE));
  }

  @Test
  void staticSharedMemory_countsAgainstTheDefaultLimit() throws Exception {
    EmulatedCudaDriver d = opened(12060, 9, 0);
    Stream s = d.createStream();
    Function f = d.function(d.loadModule(PtxLibrary.text("matmul_dmma.ptx")),
        "matmul_dmma_unmonitored"); // 37888 static bytes: 11264 dynamic left of 48 KiB
    DevicePointer p = d.allocate(8L * 64 * 64);
    Dim3 grid = KernelGeometry.dmmaGrid(64);
    refused(CudaException.INVALID_VALUE,
        () -> d.launch(f, grid, KernelGeometry.dmmaBlock(), 11265, s, p, p, p, 64));
    d.launch(f, grid, KernelGeometry.dmmaBlock(), 11264, s, p, p, p, 64);
  }

  @Test
  void maxActiveBlocksPerSm_productKernels_equalTheGeometryTable() throws Exception {
    for (int[] cc : new int[][] {{9, 0}, {8, 0}, {8, 6}}) {
      EmulatedCudaDriver d = opened(12060, cc[0], cc[1]);
      var arch = org.gpuattest.common.gpu.SmArchitecture.find(cc[0] + "." + cc[1])
          .orElseThrow();
      for (ProductKernel k : ProductKernel.values()) {
        Function f = d.function(d.loadModule(PtxLibrary.text(k.monitored.ptxFile)),
            k.monitored.entry);
        int blocks = d.maxActiveBlocksPerSm(f, (int) k.block().count(),
            k.dynamicSharedBytes());
        assertEquals(ProductGeometry.byEntry(k.monitored.entry).orElseThrow().blocksPerSm(arch),
            blocks, k + " on sm_" + arch.code());
      }
    }
    EmulatedCudaDriver h100 = opened(12060, 9, 0);
    // Worked by hand on sm_90: registers hold 1 wide block (208 regs x 256 threads), 4 of the
    // 64 x 64 tensor-core kernel (64 regs) and 2 of FFMA (110 regs, 3584 a warp).
    int[] expected = {2, 4, 1};
    for (ProductKernel k : ProductKernel.values()) {
      Function f = h100.function(h100.loadModule(PtxLibrary.text(k.monitored.ptxFile)),
          k.monitored.entry);
      assertEquals(expected[k.ordinal()], h100.maxActiveBlocksPerSm(f, (int) k.block().count(),
          k.dynamicSharedBytes()), k.toString());
    }
  }
}
