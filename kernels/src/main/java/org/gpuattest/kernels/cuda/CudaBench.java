package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cuda.CudaDevice.Phase;

/**
 * What 'attestor bench' measures on one GPU at one n, from GPU events, for every product
 * kernel the GPU may run at that n (docs/benchmarks.md, "GPU benchmark"): each phase alone
 * (the Philox fill of A, the product with and without its SM monitor, the row hashing, the
 * tree), each launched back to back on one stream with nothing else queued, so that the
 * monitor's overhead compares the two products under the same conditions; and the prove loop
 * as a whole, as it runs (PipelinedLoop.batch: several iterations in flight, hashing beside the
 * products), whose rate is what a profile's canonicalTflops must be. Beside them: cuBLAS DGEMM
 * on the same GPU in the same run where libcublas.so.12 can load, and the performance model's
 * prediction where it has one ({@link ModelPredictions}).
 */
public final class CudaBench {
  private CudaBench() {}

  /**
   * Per-iteration figures of one product kernel, in milliseconds (means over the timed
   * repetitions); chosen: whether it is the kernel the prover runs on this GPU at this n.
   *
   * @param productMillis the monitored product alone
   * @param loopMillis an iteration of the loop as a whole (its batches' GPU time over its
   *     iterations)
   * @param productInLoopMillis the monitored product inside the loop, beside the hashing
   * @param predicted the model's prediction for this GPU model, kernel and n, if it has one
   */
  public record Figures(String productKernel, boolean chosen, int n, int repetitions,
      int inFlight, double fillMillis, double productMillis, double unmonitoredProductMillis,
      double rowHashMillis, double treeMillis, double loopMillis, double productInLoopMillis,
      double cublasMillis, String cublasUnavailable,
      Optional<ModelPredictions.Prediction> predicted) {
    /** 2 n^3 floating-point operations over a time in milliseconds, in TFLOP/s. */
    public double tflops(double millis) {
      return 2.0 * n * n * (double) n / (millis * 1e-3) / 1e12;
    }

    /** Bytes the fill writes (n^2 doubles) per second, in GB/s. */
    public double fillGigabytesPerSecond() {
      return 8.0 * n * n / (fillMillis * 1e-3) / 1e9;
    }

    /** The phases alone, one after another: what an iteration would take with no overlap. */
    public double phasesMillis() {
      return fillMillis + productMillis + rowHashMillis + treeMillis;
    }

    /** Row hashing and tree alone over the phases alone. */
    public double hashShare() {
      return (rowHashMillis + treeMillis) / phasesMillis();
    }

    /** What the loop takes beyond the fill and the product alone: hashing not hidden. */
    public double hashingAdds() {
      return loopMillis / (fillMillis + productMillis) - 1.0;
    }

    /** What the SM monitor adds to the product, both alone, as a fraction of it without. */
    public double monitorOverhead() {
      return productMillis / unmonitoredProductMillis - 1.0;
    }

    /** How much slower the product runs beside the hashing than alone. */
    public double productSlowdownInLoop() {
      return productInLoopMillis / productMillis - 1.0;
    }
  }

  /**
   * For each product kernel GPU {@code ordinal} may run at size n, the chosen one first: one
   * warm-up iteration and {@code repetitions} timed ones of canonical-v1 (a fixed key: the
   * rate does not depend on it), then each phase alone; cuBLAS once, the same yardstick for
   * every row.
   */
  public static List<Figures> measure(CudaBackend backend, int ordinal, int n, int repetitions)
      throws BackendException {
    if (repetitions < 1) {
      throw new IllegalArgumentException("repetitions must be at least 1");
    }
    CudaDevice d = (CudaDevice) backend.devices(1).get(ordinal);
    String model = backend.gpus().get(ordinal).name();
    try {
      d.prepare(new PhiloxKey(0x5eed, 0xbe7c4), 0, n);
      ProductKernel chosen = d.product();
      record Timed(ProductKernel kernel, double[] alone, double loop, double productInLoop) {}
      List<Timed> timed = new ArrayList<>();
      for (ProductKernel k : d.benchable()) {
        d.benchWith(k);
        d.iterate(0, 1);
        d.times().reset();
        d.iterate(1, repetitions);
        PhaseTimes t = d.times();
        double per = 1e6 * t.iterations();
        double[] alone = new double[Phase.values().length];
        for (Phase p : Phase.values()) {
          alone[p.ordinal()] = d.aloneMillis(p, repetitions);
        }
        timed.add(new Timed(k, alone, t.loopNanos() / per, t.matmulNanos() / per));
      }
      CublasDgemm.Outcome cublas = d.cublas(repetitions);
      List<Figures> out = new ArrayList<>();
      for (Timed x : timed) {
        double[] a = x.alone();
        out.add(new Figures(x.kernel().label(), x.kernel() == chosen, n, repetitions,
            KernelGeometry.inFlight(n), a[Phase.FILL.ordinal()], a[Phase.PRODUCT.ordinal()],
            a[Phase.PRODUCT_UNMONITORED.ordinal()], a[Phase.ROW_HASH.ordinal()],
            a[Phase.TREE.ordinal()], x.loop(), x.productInLoop(), cublas.millis(),
            cublas.unavailable(),
            ModelPredictions.find(model, x.kernel().monitored.entry, n)));
      }
      return out;
    } finally {
      d.close();
    }
  }

  /**
   * The memory pass on one GPU at one n (docs/protocol.md §2.2): {@code kept} products (at
   * least 2), {@code passes} passes. streamGigabytesPerSecond: the kept bytes memory_pass reads
   * a pass, over its time alone; passGigabytesPerSecond: over a whole pass (v_p, hashing and
   * trees included); copyGigabytesPerSecond: a device-to-device copy of half the kept bytes,
   * counted as read plus written, the usual way of quoting it, so comparable with a pass's
   * reads.
   */
  public record MemoryFigures(int n, int kept, int passes, double streamMillis,
      double passMillis, double copyMillis, long copiedBytes) {
    public long keptBytes() {
      return (long) kept * n * n * Double.BYTES;
    }

    public double streamGigabytesPerSecond() {
      return keptBytes() * passes / (streamMillis * 1e-3) / 1e9;
    }

    public double passGigabytesPerSecond() {
      return keptBytes() * passes / (passMillis * 1e-3) / 1e9;
    }

    public double copyGigabytesPerSecond() {
      return 2.0 * copiedBytes / (copyMillis * 1e-3) / 1e9;
    }

    /** The hashing and trees' share of a pass. */
    public double hashShare() {
      return 1 - streamMillis / passMillis;
    }
  }

  /**
   * The memory pass of GPU {@code ordinal} at size n over {@code kept} products, after one
   * untimed pass.
   */
  public static MemoryFigures memory(CudaBackend backend, int ordinal, int n, int kept,
      int passes) throws BackendException {
    if (kept < 2 || passes < 1) {
      throw new IllegalArgumentException("kept must be at least 2 and passes at least 1");
    }
    CudaDevice d = (CudaDevice) backend.devices(1).get(ordinal);
    try {
      d.allocate(n);
      d.keep(0, kept);
      d.prepare(new PhiloxKey(0x5eed, 0xbe7c4), 0, n);
      d.memoryPass(new PhiloxKey(1, 2));
      CudaMemory.Timing t = d.memoryBench(passes);
      return new MemoryFigures(n, kept, passes, t.streamMillis(), t.passMillis(),
          t.copyMillis(), t.copiedBytes());
    } finally {
      d.close();
    }
  }
}
