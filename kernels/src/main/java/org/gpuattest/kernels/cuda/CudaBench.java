package org.gpuattest.kernels.cuda;

import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;

/**
 * What 'attestor bench' measures on one GPU at one n, from GPU events: the canonical product
 * kernel alone and without its SM monitor, the whole iteration (Philox fill of A, product, row hashing and tree), the
 * fill's write bandwidth, the hashing's share, and cuBLAS DGEMM on the same GPU in the same
 * run where libcublas.so.12 can load.
 */
public final class CudaBench {
  private CudaBench() {}

  /** Per-iteration figures (means over the timed repetitions). */
  public record Figures(String productKernel, int n, int repetitions, double fillMillis, double productMillis,
      double hashMillis, double unmonitoredProductMillis, double cublasMillis,
      String cublasUnavailable) {
    public double iterationMillis() {
      return fillMillis + productMillis + hashMillis;
    }

    /** 2 n^3 floating-point operations over a time in milliseconds, in TFLOP/s. */
    public double tflops(double millis) {
      return 2.0 * n * n * (double) n / (millis * 1e-3) / 1e12;
    }

    /** Bytes the fill writes (n^2 doubles) per second, in GB/s. */
    public double fillGigabytesPerSecond() {
      return 8.0 * n * n / (fillMillis * 1e-3) / 1e9;
    }

    public double hashShare() {
      return hashMillis / iterationMillis();
    }

    /** What the SM monitor adds to the product kernel, as a fraction of it without. */
    public double monitorOverhead() {
      return productMillis / unmonitoredProductMillis - 1.0;
    }
  }

  /**
   * Runs one warm-up iteration and {@code repetitions} timed ones of canonical-v1 on GPU
   * {@code ordinal} at size n (a fixed key: the rate does not depend on it), then cuBLAS.
   */
  public static Figures measure(CudaBackend backend, int ordinal, int n, int repetitions)
      throws BackendException {
    if (repetitions < 1) {
      throw new IllegalArgumentException("repetitions must be at least 1");
    }
    CudaDevice d = (CudaDevice) backend.devices(1).get(ordinal);
    try {
      d.prepare(new PhiloxKey(0x5eed, 0xbe7c4), 0, n);
      d.iterate(0, 1);
      d.times().reset();
      d.iterate(1, repetitions);
      PhaseTimes t = d.times();
      double per = 1e6 * t.iterations();
      double unmonitored = d.unmonitoredProductMillis(repetitions);
      CublasDgemm.Outcome cublas = d.cublas(repetitions);
      return new Figures(d.product().name().toLowerCase(java.util.Locale.ROOT), n, repetitions,
          t.fillNanos() / per, t.matmulNanos() / per,
          t.hashNanos() / per, unmonitored, cublas.millis(), cublas.unavailable());
    } finally {
      d.close();
    }
  }
}
