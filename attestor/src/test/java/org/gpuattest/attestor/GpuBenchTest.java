package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Optional;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.cuda.CudaBench;
import org.gpuattest.kernels.cuda.ModelPredictions;
import org.junit.jupiter.api.Test;

/**
 * The figures 'attestor bench' derives from what it measured (docs/benchmarks.md, "GPU
 * benchmark"), on times chosen by hand: the loop's rate beside cuBLAS, the FP64 peak and the
 * model's prediction; what hashing adds; the monitor's cost from both products alone.
 */
class GpuBenchTest {
  private static final DeviceIdentity H100 = new DeviceIdentity("NVIDIA H100 80GB HBM3",
      "GPU-00000000-0000-0000-0000-000000000000", "0000:18:00.0", "9.0", 132, 80L << 30,
      "CUDA 12.6");

  private static double tflops(double millis) {
    return 2.0 * 2048 * 2048 * 2048 / (millis * 1e-3) / 1e12;
  }

  @Test
  void row_measuredFigures_derivedAsDefined() {
    CudaBench.Figures f = new CudaBench.Figures("dmma_wide", true, 2048, 10, 3, 0.02, 0.30,
        0.29, 0.25, 0.05, 0.33, 0.31, 0.30, null,
        Optional.of(new ModelPredictions.Prediction(264.8, 292.8)));
    GpuBench.Row r = GpuBench.row(0, H100, f);
    assertEquals(tflops(0.30), r.productTflops(), 1e-9);
    assertEquals(tflops(0.33), r.loopTflops(), 1e-9);
    assertEquals(0.33 / 0.32 - 1, r.hashingAdds(), 1e-12);
    assertEquals(0.30 / 0.29 - 1, r.monitorOverhead(), 1e-12);
    assertEquals(0.31 / 0.30 - 1, r.productSlowdownInLoop(), 1e-12);
    assertEquals(0.30 / 0.62, r.hashShare(), 1e-12);
    assertEquals(0.30 / 0.33, r.loopToCublas(), 1e-12);
    assertEquals(1.0, r.productToCublas(), 1e-12);
    assertEquals(tflops(0.33) / 33.5, r.loopToFp64Peak(), 1e-12);
    assertEquals(tflops(0.2928), r.predictedLoopTflops(), 1e-9);
    assertEquals(0.2928 / 0.33, r.loopToPredicted(), 1e-12);
  }

  @Test
  void row_noCublasNoPrediction_nullsNotZeros() {
    CudaBench.Figures f = new CudaBench.Figures("ffma", false, 2048, 1, 3, 0.02, 1.2, 1.19,
        0.25, 0.05, 1.3, 1.2, 0, "cuBLAS unavailable: test", Optional.empty());
    GpuBench.Row r = GpuBench.row(0, H100, f);
    assertNull(r.cublasTflops());
    assertNull(r.loopToCublas());
    assertNull(r.predictedLoopTflops());
    assertNull(r.loopToPredicted());
  }
}
