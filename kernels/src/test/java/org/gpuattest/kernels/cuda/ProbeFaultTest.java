package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;
import org.junit.jupiter.api.Test;

/**
 * A tensor-core kernel that faults in its probe (ProductProbe, DeviceKernels), over a fake
 * driver whose faults are sticky as a GPU's are, staged by kernel with a code of the test's
 * choosing (the emulated driver injects an illegal address at a launch number): the fault,
 * with its own error, is that kernel's refusal, said once per GPU; the GPU's primary context
 * is reset (the fake counts the resets) and opened anew without it; the next kernel in the
 * order runs (matmul_dmma_wide, then matmul_dmma, then FFMA, at n = 256, whose 4 wide blocks
 * fill the fake's 4 SMs); no later allocation probes it again; and nothing is left allocated.
 * One probe fault on emulated GPUs, where the shipped PTX runs before and after it, and
 * another device's fault resetting a shared context: EmulatedProductChoiceTest.
 */
class ProbeFaultTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  private static long launches(FakeCudaDriver d, String entry) {
    return d.launchLog.stream().filter(l -> l.equals("0:" + entry)).count();
  }

  @Test
  void bothProbesFault_ffmaRuns_oneWarningEachWithItsOwnError() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.faulting.put("matmul_dmma_wide", CudaException.ILLEGAL_ADDRESS);
    d.faulting.put("matmul_dmma", CudaException.ILLEGAL_INSTRUCTION);
    List<String> warnings = new ArrayList<>();
    try (CudaDevice dev = (CudaDevice) CudaBackend.open(d, warnings::add).devices(1).get(0)) {
      dev.prepare(KEY, 0, 256);
      assertEquals(ProductKernel.FFMA, dev.product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 256, 1)[0], dev.iterate(0).matrixRoot());
      assertEquals(2, d.resets.get());
    }
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("matmul_dmma_wide faulted on a test case"
        + " (cuStreamSynchronize: CUDA_ERROR_700 (700))"), warnings.get(0));
    assertTrue(warnings.get(1).contains("matmul_dmma faulted on a test case"
        + " (cuStreamSynchronize: CUDA_ERROR_715 (715))"), warnings.get(1));
    for (String w : warnings) {
      assertTrue(w.endsWith("; using the FFMA kernel (matmul_ffma)"), w);
    }
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void faultedKernel_laterAllocations_neitherProbeNorWarnAgain() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.faulting.put("matmul_dmma_wide", CudaException.MISALIGNED_ADDRESS);
    List<String> warnings = new ArrayList<>();
    CudaBackend b = CudaBackend.open(d, warnings::add);
    for (int round = 0; round < 3; round++) {
      try (CudaDevice dev = (CudaDevice) b.devices(1).get(0)) {
        dev.prepare(KEY, 0, 256);
        assertEquals(ProductKernel.DMMA, dev.product());
      }
    }
    assertEquals(1, launches(d, "matmul_dmma_wide"), "probed once");
    assertEquals(1, d.resets.get());
    assertEquals(1, warnings.size(), "told once: " + warnings);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  /** The probe's frees fail in the poisoned context too; what it throws is the fault. */
  @Test
  void agrees_kernelFaults_throwsTheFaultNotTheFreesEcho() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.faulting.put("matmul_dmma", CudaException.ILLEGAL_ADDRESS);
    CudaDriver.Context ctx = d.retainContext(0);
    d.setCurrent(ctx);
    CudaDriver.Stream s = d.createStream();
    CudaDriver.Function fill = d.function(d.loadModule(PtxLibrary.text("philox_fill.ptx")),
        Kernel.PHILOX_FILL.entry);
    CudaDriver.Function dmma = d.function(d.loadModule(PtxLibrary.text("matmul_dmma.ptx")),
        Kernel.MATMUL_DMMA.entry);
    CudaException e = assertThrows(CudaException.class,
        () -> ProductProbe.agrees(d, s, fill, ProductKernel.DMMA, dmma));
    assertEquals("cuStreamSynchronize", e.call());
    assertEquals(CudaException.ILLEGAL_ADDRESS, e.code());
    assertEquals(5, e.getSuppressed().length, "each of the five frees failed alike");
    assertTrue(e.getSuppressed()[0].getMessage().startsWith("cuMemFree: CUDA_ERROR_700"),
        e.getSuppressed()[0].getMessage());
    d.resetPrimaryContext(0);
    d.releaseContext(ctx);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  /** The fake's faults are sticky, as cuda.h says of a GPU's: the seam's contract. */
  @Test
  void fakeDriver_faultPoisonsTheContextUntilItIsReset() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.faulting.put("matmul_ffma", CudaException.LAUNCH_FAILED);
    CudaDriver.Context ctx = d.retainContext(0);
    d.setCurrent(ctx);
    CudaDriver.Stream s = d.createStream();
    CudaDriver.Function f = d.function(d.loadModule(PtxLibrary.text("matmul_ffma.ptx")),
        Kernel.MATMUL.entry);
    DevicePointer p = d.allocate(8L * 64 * 64);
    d.launch(f, KernelGeometry.matmulGrid(64), KernelGeometry.matmulBlock(), 0, s, p, p, p, 64,
        p, p);
    assertEquals(CudaException.LAUNCH_FAILED,
        assertThrows(CudaException.class, () -> d.synchronize(s)).code());
    assertEquals(CudaException.LAUNCH_FAILED,
        assertThrows(CudaException.class, () -> d.free(p)).code(), "a free fails alike");
    assertEquals(CudaException.LAUNCH_FAILED,
        assertThrows(CudaException.class, () -> d.allocate(8)).code());
    d.resetPrimaryContext(0);
    assertEquals(CudaException.INVALID_CONTEXT,
        assertThrows(CudaException.class, () -> d.allocate(8)).code(), "the old context");
    assertEquals(CudaException.INVALID_VALUE,
        assertThrows(CudaException.class, () -> d.free(p)).code(), "it went with the reset");
    d.releaseContext(ctx);
    CudaDriver.Context again = d.retainContext(0);
    d.setCurrent(again);
    d.free(d.allocate(8)); // a fresh retain works
    d.releaseContext(again);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }
}
