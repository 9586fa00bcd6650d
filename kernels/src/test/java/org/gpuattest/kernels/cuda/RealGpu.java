package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.gpuattest.kernels.Backend;

/**
 * This host's GPUs through the real driver, for tests that run on a GPU and skip elsewhere
 * with the reason (no libcuda, no device).
 */
public final class RealGpu {
  private static final Object[] OPENED = open();

  private RealGpu() {}

  private static Object[] open() {
    try {
      return new Object[] {CudaBackend.open(w -> System.err.println(w)), null};
    } catch (CudaUnavailableException e) {
      return new Object[] {null, e.getMessage()};
    }
  }

  /** The real CUDA backend, or null where none can run (see {@link #assumePresent}). */
  public static Backend backendOrNull() {
    return (Backend) OPENED[0];
  }

  /** Skips the calling test, with the reason, when {@code backend} is a missing real GPU. */
  public static void assumePresent(Backend backend) {
    assumeTrue(backend != null, () -> "no GPU here: " + OPENED[1]);
  }
}
