package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.List;

/** CUDA backends over {@link FakeCudaDriver}, for tests outside this package. */
public final class CudaFakes {
  private CudaFakes() {}

  /** A driver for CUDA 12.6 with {@code gpus} fake GPUs of 4 SMs and {@code memory} bytes. */
  static FakeCudaDriver driver(int gpus, long memory) {
    List<CudaDriver.DeviceProperties> list = new ArrayList<>();
    for (int i = 0; i < gpus; i++) {
      list.add(FakeCudaDriver.gpu(i, 4, memory));
    }
    return new FakeCudaDriver(12060, list);
  }

  /** A CUDA backend over a fresh fake driver. */
  public static CudaBackend backend(int gpus, long memory) {
    try {
      return CudaBackend.open(driver(gpus, memory), w -> {});
    } catch (CudaUnavailableException e) {
      throw new AssertionError(e);
    }
  }
}
