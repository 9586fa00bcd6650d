package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.junit.jupiter.api.Test;

/**
 * Which product kernel a device runs (ProductChoice, docs/benchmarks.md "Product kernel
 * versions"), on emulated H100s (4 SMs, so n = 256 gives the wide kernel a block for each),
 * where the shipped PTX runs: matmul_dmma_wide where n is a multiple of 128, its grid fills
 * the SMs and its probe gives the CPU's bits; matmul_dmma where n is not, where the wide grid
 * leaves SMs empty, or where the wide kernel is refused; FFMA on a GPU without FP64 tensor
 * cores or where both are refused. A tensor-core kernel is refused, with its reason and what
 * runs instead, said once per GPU, where its bits differ (a bit flipped after it ran), where
 * it faults (an injected illegal address: the context is reset and nothing is left), or where
 * the GPU cannot give it its shared memory (sm_86's 99 KiB). Every case checks a root against
 * the CPU reference, computed by common, not by the emulator. (What only the fake driver can
 * stage stays in ProductChoiceTest.)
 */
class EmulatedProductChoiceTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);
  private static final String WHO = "cuda device 0 (" + EmulatedGpus.MODEL + "): ";

  private static CudaDevice device(EmulatedCudaDriver d, List<String> warnings)
      throws Exception {
    return (CudaDevice) CudaBackend.open(d, warnings::add).devices(1).get(0);
  }

  private static long launches(EmulatedCudaDriver d, String entry) {
    return d.launchLog().stream().filter(l -> l.equals("0:" + entry)).count();
  }

  private static long wideLaunches(EmulatedCudaDriver d) {
    return d.launchLog().stream().filter(l -> l.contains("wide")).count();
  }

  /** One emulated GPU of compute capability {@code major.minor}, 4 SMs and 1 GiB. */
  private static EmulatedCudaDriver gpu(String name, int major, int minor) {
    CudaDriver.DeviceProperties h = EmulatedGpus.h100(0);
    return new EmulatedCudaDriver(EmulatedGpus.DRIVER, List.of(new CudaDriver.DeviceProperties(
        name, h.uuid(), h.pciBusId(), major, minor, EmulatedGpus.SMS, 1L << 30)));
  }

  @Test
  void n256_wideProbeAgrees_runsTheWideKernel() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.DMMA_WIDE, dev.product());
      assertEquals(1, dev.blocksPerSm(), "208 registers a thread: one block per SM");
      assertEquals(new KernelChoice("matmul_dmma_wide",
          "matmul_dmma_wide: the fastest kernel for this GPU at n = 256"),
          dev.kernel().orElseThrow());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
      assertEquals(2, launches(d, "matmul_dmma_wide"), "its probe, then iteration 0");
      assertEquals(0, launches(d, "matmul_dmma_wide_unmonitored"), "the probe runs what runs");
      assertEquals(0, launches(d, "matmul_dmma"), "no need to probe the 64 x 64");
    }
    assertEquals(List.of(), warnings);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void n128_gridFillPicksThe64x64Kernel_withoutProbingTheWideOne_andSaysWhy() throws Exception {
    // one 128 x 128 block (25% of SM time) or four 64 x 64 ones on the 4 SMs
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 128);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertEquals(4, dev.blocksPerSm());
      assertEquals("matmul_dmma: grid fill on 4 SMs: matmul_dmma_wide (1 block) keeps 25% of"
          + " the SM time at work, matmul_dmma (4 blocks) 100%", dev.kernel().orElseThrow()
          .reason());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 128, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(0, wideLaunches(d), d.launchLog().toString());
    assertEquals(List.of(), warnings);
  }

  @Test
  void n192_notAMultipleOf128_runsThe64x64Kernel_withoutProbingTheWideOne() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 192);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 192, 1)[0], dev.iterate(0).matrixRoot());
      assertEquals(2, launches(d, "matmul_dmma"), "its probe, then iteration 0");
    }
    assertEquals(0, wideLaunches(d), d.launchLog().toString());
    assertEquals(List.of(), warnings, "taking the 64 x 64 kernel for such n is no fallback");
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void olderGpu_runsFfma_neverLoadingTheTensorCorePtx_probingOrWarning() throws Exception {
    EmulatedCudaDriver d = gpu("NVIDIA T4", 7, 5);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 64);
      assertEquals(ProductKernel.FFMA, dev.product());
      assertEquals(List.of(ProductKernel.FFMA), dev.benchable());
      // philox_fill, matmul_ffma, sha256_merkle and memory_pass: no tensor-core PTX
      assertTrue(d.live().contains("modules=4"), d.live());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 64, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(0, d.launchLog().stream().filter(l -> l.contains("dmma")).count(),
        d.launchLog().toString());
    assertEquals(List.of(), warnings);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void wideKernelsBitsDiffer_refusedWithTheReason_64x64Runs() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    d.corrupt("matmul_dmma_wide");
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertEquals(new KernelChoice("matmul_dmma", "matmul_dmma: matmul_dmma_wide refused:"
          + " differs from the CPU reference on a test case"), dev.kernel().orElseThrow());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(List.of(WHO + "the tensor-core product matmul_dmma_wide differs from the CPU"
        + " reference on a test case; using the tensor-core kernel matmul_dmma"), warnings);
  }

  @Test
  void verdictsKeptPerGpu_aSecondDeviceNeitherProbesNorWarnsAgain() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    d.corrupt("matmul_dmma_wide");
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
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void bothTensorCoreKernelsBitsDiffer_ffmaRuns_andEachRefusalIsSaid() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    d.corrupt("matmul_dmma");
    d.corrupt("matmul_dmma_wide");
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 128); // grid fill tries matmul_dmma first, then the wide kernel
      assertEquals(ProductKernel.FFMA, dev.product());
      assertEquals(2, dev.blocksPerSm(), "110 registers a thread: 2 blocks per SM");
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 128, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(List.of(
        WHO + "the tensor-core product matmul_dmma differs from the CPU reference on a test"
            + " case; using the FFMA kernel (matmul_ffma)",
        WHO + "the tensor-core product matmul_dmma_wide differs from the CPU reference on a"
            + " test case; using the FFMA kernel (matmul_ffma)"), warnings);
  }

  @Test
  void wideProbeFaults_contextResetWithTheFaultsWords_64x64Runs_nothingLeft() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    d.injectIllegalAddress(0, 3); // the probe's launches: fill A, fill B, the product
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(List.of(WHO + "the tensor-core product matmul_dmma_wide faulted on a test case"
        + " (cuStreamSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS (700): matmul_dmma_wide: injected"
        + " fault: launch 3 on GPU 0 read an illegal address); the GPU's context was reset;"
        + " using the tensor-core kernel matmul_dmma"), warnings);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
    assertEquals(0, d.usedBytes(0));
  }

  /**
   * Two devices on one GPU share its primary context: the second one's probe faults and the
   * context is reset, so the first one's handles (buffers, modules, streams) are dead; it
   * opens the context anew before it runs again, and both give canonical-v1's roots.
   */
  @Test
  void anotherDevicesProbeFaultsOnTheSameGpu_thisDeviceOpensTheContextAnew() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    // first: matmul_dmma's probe (launches 1-3) and B(0) (4); second: the wide probe's
    // product is launch 7
    d.injectIllegalAddress(0, 7);
    List<String> warnings = new ArrayList<>();
    CudaBackend b = CudaBackend.open(d, warnings::add);
    try (CudaDevice first = (CudaDevice) b.devices(1).get(0);
        CudaDevice second = (CudaDevice) b.deviceWithUuid(b.gpus().get(0).uuid())
            .orElseThrow()) {
      first.prepare(KEY, 0, 64);
      second.prepare(KEY, 1, 256);
      assertEquals(List.of(ProductKernel.DMMA, ProductKernel.FFMA), first.benchable());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 64, 1)[0], first.iterate(0).matrixRoot());
      assertArrayEquals(Reference.matrixRoots(KEY, 1, 256, 1)[0],
          second.iterate(0).matrixRoot());
      assertEquals(ProductKernel.DMMA, second.product());
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("matmul_dmma_wide faulted on a test case"),
        warnings.get(0));
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void sm86_wideKernelsSharedMemoryRefused_64x64Runs() throws Exception {
    EmulatedCudaDriver d = gpu("NVIDIA RTX A6000", 8, 6);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(0, launches(d, "matmul_dmma_wide"), "never launched");
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("matmul_dmma_wide cannot have its 112128 bytes of shared"
        + " memory per block on this GPU (cuFuncSetAttribute: CUDA_ERROR_INVALID_VALUE (1)"),
        warnings.get(0));
    assertTrue(warnings.get(0).endsWith("using the tensor-core kernel matmul_dmma"),
        warnings.get(0));
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  /** The wide kernel refused by the GPU and the 64 x 64 one's bits wrong: FFMA, said for each. */
  @Test
  void sm86_wideRefusedAnd64x64sBitsDiffer_ffmaRuns_oneWarningEach() throws Exception {
    EmulatedCudaDriver d = gpu("NVIDIA RTX A6000", 8, 6);
    d.corrupt("matmul_dmma");
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = device(d, warnings)) {
      dev.prepare(KEY, 0, 128);
      assertEquals(ProductKernel.FFMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 128, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("matmul_dmma differs from the CPU"
        + " reference")), warnings.toString());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("matmul_dmma_wide cannot have its"
        + " 112128 bytes of shared memory")), warnings.toString());
    for (String w : warnings) {
      assertTrue(w.endsWith("; using the FFMA kernel (matmul_ffma)"), w);
    }
    assertEquals(0, launches(d, "matmul_dmma_wide"), "never launched");
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }
}
