package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The real driver binding where it cannot load, and the words it uses: a host without the
 * NVIDIA driver (as CI is) gets "no NVIDIA driver", never a stack trace. On a host with the
 * driver the first test is skipped and the GPU tests (BackendContractTest) run instead.
 */
class JCudaDriverApiTest {
  @Test
  void load_withoutLibcuda_namesTheMissingDriver() {
    CudaUnavailableException e;
    try {
      JCudaDriverApi.load().init();
      assumeTrue(false, "this host has an NVIDIA driver: nothing is missing");
      return;
    } catch (CudaUnavailableException caught) {
      e = caught;
    } catch (CudaException driverThere) {
      assumeTrue(false, "this host has an NVIDIA driver (" + driverThere.getMessage() + ")");
      return;
    }
    assertTrue(e.getMessage().startsWith("no NVIDIA driver: libcuda.so.1"), e.getMessage());
    try {
      JCudaDriverApi.load();
    } catch (CudaUnavailableException again) {
      assertEquals(e.getMessage(), again.getMessage(), "the second load says the same");
    }
  }

  @Test
  void describeLinkError_eachCause_inWordsAnOperatorCanActOn() {
    assertEquals("no NVIDIA driver: libcuda.so.1 cannot be loaded (install the NVIDIA driver)",
        CudaUnavailableException.describeLinkError(new UnsatisfiedLinkError(
            "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared"
                + " object file: No such file or directory")));
    assertTrue(CudaUnavailableException.describeLinkError(
        new NoClassDefFoundError("jcuda/driver/JCudaDriver")).contains("JCuda classes"));
    assertTrue(CudaUnavailableException.describeLinkError(new UnsatisfiedLinkError(
        "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: undefined symbol: cuDeviceGetUuid"))
        .startsWith("the NVIDIA driver is too old"));
    assertTrue(CudaUnavailableException.describeLinkError(
        new UnsatisfiedLinkError("no JCudaDriver in java.library.path")).contains(
            "native driver binding cannot be loaded"));
  }

  @Test
  void uuid_sixteenBytes_inNvidiaSmiForm() {
    byte[] b = new byte[16];
    for (int i = 0; i < 16; i++) {
      b[i] = (byte) (0xa0 + i);
    }
    assertEquals("GPU-a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf", CudaBackend.uuid(b));
  }
}
