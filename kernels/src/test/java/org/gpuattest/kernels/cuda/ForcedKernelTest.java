package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.junit.jupiter.api.Test;

/**
 * A product kernel forced by the operator (CudaBackend.withProductKernel, attestor
 * --product-kernel): it runs where it can, even where another would be chosen, probing nothing
 * else; where it cannot (no FP64 tensor cores, n no multiple of its tile, its probe differs or
 * faults) the device refuses in one line naming the GPU, the kernel and why, falls back to
 * nothing, and leaves nothing allocated. What a kernel computes, or whether its probe agrees,
 * on emulated GPUs that run the shipped PTX; refusals made before any launch, and a probe
 * fault with the reset the fake counts, over the fake driver.
 */
class ForcedKernelTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  private static CudaDevice device(CudaDriver d, ProductKernel forced, List<String> warnings)
      throws Exception {
    return (CudaDevice) CudaBackend.open(d, warnings::add).withProductKernel(forced).devices(1)
        .get(0);
  }

  private static String refusal(FakeCudaDriver d, ProductKernel forced, int n)
      throws Exception {
    return refusal(d, d::live, forced, n);
  }

  private static String refusal(CudaDriver d, Supplier<String> live, ProductKernel forced,
      int n) throws Exception {
    List<String> warnings = new ArrayList<>();
    CudaDevice dev = device(d, forced, warnings);
    ForcedKernelException e = assertThrows(ForcedKernelException.class,
        () -> dev.prepare(KEY, 0, n));
    assertEquals(List.of(), warnings, "a refusal, not a warning and a fallback");
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, live.get());
    return e.getMessage();
  }

  @Test
  void forced64x64_nMultipleOf128_runsIt_withoutProbingTheWideKernel() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1); // auto would run matmul_dmma_wide at 256
    try (CudaDevice dev = device(d, ProductKernel.DMMA, new ArrayList<>())) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.DMMA, dev.product());
      assertEquals(List.of(ProductKernel.DMMA), dev.benchable());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(0, d.launchLog().stream().filter(l -> l.contains("wide")).count(),
        d.launchLog().toString());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void forcedFfma_tensorCoreGpu_runsFfma_probingNothing() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    try (CudaDevice dev = device(d, ProductKernel.FFMA, new ArrayList<>())) {
      dev.prepare(KEY, 0, 128);
      assertEquals(ProductKernel.FFMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 128, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(0, d.launchLog().stream().filter(l -> l.contains("dmma")).count(),
        d.launchLog().toString());
  }

  @Test
  void forcedWide_nNotAMultipleOf128_refusedNamingTheTile() throws Exception {
    assertEquals("cuda device 0 (Fake GPU 0): the forced product kernel matmul_dmma_wide takes"
        + " only n that are multiples of 128 (its tile), not n=192",
        refusal(CudaFakes.driver(1, 1L << 30), ProductKernel.DMMA_WIDE, 192));
  }

  @Test
  void forced64x64_olderGpu_refusedNamingTheTensorCores() throws Exception {
    FakeCudaDriver d = new FakeCudaDriver(12060,
        List.of(FakeCudaDriver.gpu(0, 4, 1L << 30, 7, 5)));
    assertEquals("cuda device 0 (Fake GPU 0): the forced product kernel matmul_dmma needs FP64"
        + " tensor cores (compute capability 8.0 or more)", refusal(d, ProductKernel.DMMA, 64));
  }

  @Test
  void forcedWide_probeDiffers_refusedWithoutFallingBack() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    d.corrupt("matmul_dmma_wide");
    assertEquals("cuda device 0 (" + EmulatedGpus.MODEL + "): the forced product kernel"
        + " matmul_dmma_wide differs from the CPU reference on a test case",
        refusal(d, d::live, ProductKernel.DMMA_WIDE, 128));
    assertEquals(List.of("0:philox_fill", "0:philox_fill", "0:matmul_dmma_wide"),
        d.launchLog(), "its probe, and no other kernel's");
  }

  @Test
  void forced64x64_probeFaults_refusedWithTheFault_contextReset() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.faulting.put("matmul_dmma", CudaException.ILLEGAL_ADDRESS);
    assertEquals("cuda device 0 (Fake GPU 0): the forced product kernel matmul_dmma faulted on"
        + " a test case (cuStreamSynchronize: CUDA_ERROR_700 (700)); the GPU's context was"
        + " reset", refusal(d, ProductKernel.DMMA, 64));
    assertEquals(1, d.resets.get());
  }
}
