package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 'attestor bench''s measurements ({@link CudaBench}) on an emulated GPU, whose times are
 * virtual (the interpreter's clock, one launch after another, no overlap) but whose structure
 * and arithmetic are the real one's: every kernel the GPU may run, each phase timed alone,
 * the loop as a whole; with no overlap the loop must take exactly what its phases take alone,
 * which shows both time the same work.
 */
class CudaBenchTest {
  @Test
  void measure_emulatedGpu_loopIsItsPhasesAloneWhenNothingOverlaps() throws Exception {
    EmulatedGpus.Watched w = EmulatedGpus.watched(1);
    List<CudaBench.Figures> all = CudaBench.measure(w.backend(), 0, 128, 2);
    assertEquals(List.of("dmma", "dmma_wide", "ffma"),
        all.stream().map(CudaBench.Figures::productKernel).toList());
    assertTrue(all.get(0).chosen(), "the chosen kernel first");
    for (CudaBench.Figures f : all) {
      String k = f.productKernel();
      assertEquals(KernelGeometry.inFlight(128), f.inFlight());
      for (double ms : new double[] {f.fillMillis(), f.productMillis(),
          f.unmonitoredProductMillis(), f.rowHashMillis(), f.treeMillis(), f.loopMillis()}) {
        assertTrue(ms > 0, k + ": " + f);
      }
      assertEquals(f.phasesMillis(), f.loopMillis(), 1e-4 * f.loopMillis(), k + ": " + f);
      assertEquals(f.productMillis(), f.productInLoopMillis(), 1e-4 * f.productMillis(), k);
      // The monitor's atomics and timer reads are instructions the unmonitored twin lacks.
      assertTrue(f.monitorOverhead() > 0 && f.monitorOverhead() < 0.05, k + ": " + f);
      assertEquals(f.loopMillis() / (f.fillMillis() + f.productMillis()) - 1,
          f.hashingAdds(), 1e-12);
      assertTrue(f.predicted().isEmpty(), "the model has no n = 128");
      assertTrue(f.cublasUnavailable() != null, "no cuBLAS on an emulated GPU");
    }
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, w.live().get());
  }

  /** The predictions bench reports are the model's table (docs/benchmarks.md). */
  @Test
  void modelPredictions_h100WideAt2048_asTheTableSays() {
    ModelPredictions.Prediction p = ModelPredictions.find("NVIDIA H100 80GB HBM3",
        "matmul_dmma_wide", 2048).orElseThrow();
    assertEquals(264.8, p.productMicros(), 1e-9);
    assertEquals(292.8, p.loopMicros(), 1e-9);
    assertTrue(ModelPredictions.find("NVIDIA H100 80GB HBM3", "matmul_dmma_wide", 2112)
        .isEmpty());
  }
}
