package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What an operator reads when the driver refuses (CudaException, over the fake driver): a
 * host set up wrong gets the cause and the fix for each driver-API code that means one (the
 * toolkit's stub libcuda.so, an exclusive-process GPU in use, a driver library that does not
 * match its kernel module, an unsupported forward-compatibility package, a Fabric Manager
 * not running), and a refused PTX the JIT compiler's own log, on one bounded, escaped line.
 */
class CudaErrorsTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  /** cuda.h's numbers, as JCuda 12.6's CUresult has them. */
  @Test
  void codes_areTheDriverApisNumbers() {
    assertEquals(34, jcuda.driver.CUresult.CUDA_ERROR_STUB_LIBRARY);
    assertEquals(CudaException.STUB_LIBRARY, jcuda.driver.CUresult.CUDA_ERROR_STUB_LIBRARY);
    assertEquals(CudaException.DEVICE_UNAVAILABLE,
        jcuda.driver.CUresult.CUDA_ERROR_DEVICE_UNAVAILABLE);
    assertEquals(CudaException.SYSTEM_NOT_READY,
        jcuda.driver.CUresult.CUDA_ERROR_SYSTEM_NOT_READY);
    assertEquals(CudaException.SYSTEM_DRIVER_MISMATCH,
        jcuda.driver.CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH);
    assertEquals(CudaException.COMPAT_NOT_SUPPORTED_ON_DEVICE,
        jcuda.driver.CUresult.CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE);
    assertEquals(CudaException.UNSUPPORTED_PTX_VERSION,
        jcuda.driver.CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    assertEquals(CudaException.ILLEGAL_ADDRESS, jcuda.driver.CUresult.CUDA_ERROR_ILLEGAL_ADDRESS);
    assertEquals(CudaException.LAUNCH_FAILED, jcuda.driver.CUresult.CUDA_ERROR_LAUNCH_FAILED);
  }

  @ParameterizedTest(name = "cuInit {0}")
  @CsvSource(delimiter = '|', value = {
      "34  | stub libcuda.so was loaded instead of the NVIDIA driver's | off LD_LIBRARY_PATH",
      "802 | NVIDIA Fabric Manager must be running                     | nvidia-fabricmanager",
      "803 | libcuda.so) and the loaded NVIDIA kernel module are of different versions | reboot",
      "804 | forward-compatibility package (cuda-compat)               | off LD_LIBRARY_PATH"})
  void open_hostSetUpWrong_namesCauseAndFix(int code, String cause, String fix) {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.initFailure = code;
    CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
        () -> CudaBackend.open(d, w -> {}));
    assertTrue(e.getMessage().startsWith("the CUDA driver failed to start: "), e.getMessage());
    assertTrue(e.getMessage().contains(cause), e.getMessage());
    assertTrue(e.getMessage().contains(fix), e.getMessage());
    assertTrue(e.getMessage().endsWith("(cuInit: CUDA_ERROR_" + code + " (" + code + "))"),
        e.getMessage());
  }

  /**
   * 35 is the runtime API's cudaErrorInsufficientDriver; the driver API never returns it, so
   * it is no reason to call the driver too old.
   */
  @Test
  void open_runtimeApisCode35_isNotTakenForAnOldDriver() {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.initFailure = 35;
    CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
        () -> CudaBackend.open(d, w -> {}));
    assertEquals("the CUDA driver failed to start: cuInit: CUDA_ERROR_35 (35)", e.getMessage());
  }

  @Test
  void prepare_exclusiveProcessGpuInUse_namesTheComputeMode() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.retainFailure = CudaException.DEVICE_UNAVAILABLE;
    Device dev = CudaBackend.open(d, w -> {}).devices(1).get(0);
    BackendException e = assertThrows(BackendException.class, () -> dev.prepare(KEY, 0, 64));
    assertTrue(e.getMessage().startsWith("cuda device 0 (Fake GPU 0, GPU-"), e.getMessage());
    assertTrue(e.getMessage().contains("exclusive-process compute mode and another process"
        + " holds it"), e.getMessage());
    assertTrue(e.getMessage().contains("nvidia-smi -i <gpu> -c DEFAULT"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(cuDevicePrimaryCtxRetain: CUDA_ERROR_46 (46))"),
        e.getMessage());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void remedies_oneForEachCodeThatHasOne_allDifferent() {
    Set<String> seen = new HashSet<>();
    for (int code : new int[] {34, 46, 802, 803, 804}) {
      String r = new CudaException("cuInit", code, "X").remedy().orElseThrow();
      assertTrue(seen.add(r), r);
    }
    for (int code : new int[] {1, 2, 35, 100, 222, 700, 999}) {
      assertFalse(new CudaException("cuInit", code, "X").remedy().isPresent(), "" + code);
    }
  }

  @Test
  void prepare_refusedPtx_messageCarriesTheJitLogOnOneEscapedLine() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.refusePtx = true;
    Device dev = CudaBackend.open(d, w -> {}).devices(1).get(0);
    BackendException e = assertThrows(BackendException.class, () -> dev.prepare(KEY, 0, 64));
    String m = e.getMessage();
    assertTrue(m.contains("(cuModuleLoadDataEx: CUDA_ERROR_UNSUPPORTED_PTX_VERSION (222):"
        + " ptxas application ptx input, line 8; fatal   : Unsupported .version 8.5; current"
        + " version is '8.4'; ptxas fatal   : Ptx assembly aborted due to errors)"), m);
    assertTrue(m.contains("too old for the PTX"), m);
    assertFalse(m.contains("\n") || m.contains("\t"), m);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void logLine_longLogWithControls_cutAndEscaped() {
    String log = "line 1\r\n\tbad \u001b[31mred\u001b[0m\n" + "x".repeat(5000) + "\n";
    String line = CudaException.logLine(log);
    assertTrue(line.startsWith(": line 1; bad \\u001b[31mred\\u001b[0m; xxx"), line);
    assertTrue(line.endsWith("x..."), line);
    assertTrue(line.length() < CudaException.MAX_LOG_CHARS + 40, "" + line.length());
    assertEquals("", CudaException.logLine(" \n "));
    assertEquals("cuX: NAME (9)", new CudaException("cuX", 9, "NAME", "\n").getMessage());
  }
}
