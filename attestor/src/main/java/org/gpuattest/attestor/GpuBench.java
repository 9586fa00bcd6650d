package org.gpuattest.attestor;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.cuda.CudaBackend;
import org.gpuattest.kernels.cuda.CudaBench;

/**
 * 'attestor bench': every GPU at each size, each canonical product kernel the GPU may run there
 * (matmul_dmma_wide, matmul_dmma, matmul_ffma: docs/benchmarks.md, "GPU benchmark"): each phase
 * alone and the prove loop as a whole ({@link CudaBench}), the loop's rate (what a profile's
 * canonicalTflops must be) against cuBLAS DGEMM on the same GPU in the same run, or against
 * the FP64 peak where cuBLAS cannot load, and against the performance model's prediction. One
 * row per GPU, size and kernel; chosen marks the kernel the prover runs.
 */
public final class GpuBench {
  private GpuBench() {}

  /**
   * One kernel on one GPU at one n, with the yardsticks it was compared with; times in
   * milliseconds per iteration, the phases each alone, the loop as a whole (CudaBench.Figures).
   * The predicted figures are the performance model's, not measurements (null where it has
   * none for this GPU model and n).
   */
  public record Row(int gpu, String name, String productKernel, boolean chosen, int n,
      int repetitions, int inFlight, double fillMillis, double productMillis,
      double unmonitoredProductMillis, double rowHashMillis, double treeMillis,
      double loopMillis, double productTflops, double loopTflops,
      double fillGigabytesPerSecond, double hashShare, double hashingAdds,
      double monitorOverhead, double productSlowdownInLoop,
      Double cublasTflops, Double productToCublas, Double loopToCublas,
      String cublasUnavailable, Double fp64PeakTflops, Double productToFp64Peak,
      Double loopToFp64Peak, Double fp64TensorPeakTflops, Double predictedProductTflops,
      Double predictedLoopTflops, Double loopToPredicted) {}

  /**
   * The memory pass on one GPU at one n (docs/protocol.md §2.2): GB/s of memory_pass alone and
   * of a whole pass (its hashing's share), against a device-to-device copy on the same GPU in
   * the same run (read plus written), and the profile's memoryTBps (the vendor's figure, until
   * this measures it).
   */
  public record MemoryRow(int gpu, String name, int n, int kept, double keptGiB, int passes,
      double streamGigabytesPerSecond, double passGigabytesPerSecond, double hashShare,
      double copyGigabytesPerSecond, double streamToCopy, Double profileMemoryTBps) {}

  /** Products the memory bench keeps: about 1 GiB, 2 to 64 of them (far beyond any L2). */
  static int benchKept(int n) {
    long perProduct = 8L * n * n;
    return (int) Math.max(2, Math.min(64, (1L << 30) / perProduct));
  }

  /** One memory row per GPU and size, {@code passes} timed passes each. */
  public static List<MemoryRow> memory(CudaBackend backend, List<Integer> dims, int passes,
      PrintWriter progress) throws BackendException {
    List<MemoryRow> rows = new ArrayList<>();
    List<DeviceIdentity> gpus = backend.gpus();
    for (int g = 0; g < gpus.size(); g++) {
      DeviceIdentity id = gpus.get(g);
      for (int n : dims) {
        int kept = benchKept(n);
        progress.printf("attestor bench: GPU %d (%s), memory pass at n=%d over %d products,"
            + " %d passes%n", g, id.name(), n, kept, passes);
        progress.flush();
        CudaBench.MemoryFigures f = CudaBench.memory(backend, g, n, kept, passes);
        rows.add(new MemoryRow(g, id.name(), n, kept, f.keptBytes() / (double) (1L << 30),
            passes, f.streamGigabytesPerSecond(), f.passGigabytesPerSecond(), f.hashShare(),
            f.copyGigabytesPerSecond(), f.streamGigabytesPerSecond()
                / f.copyGigabytesPerSecond(),
            Fp64Peaks.of(id.name()).map(Fp64Peaks.Peak::memoryTBps).orElse(null)));
      }
    }
    return rows;
  }

  public static List<Row> run(CudaBackend backend, List<Integer> dims, int repetitions,
      PrintWriter progress) throws BackendException {
    List<Row> rows = new ArrayList<>();
    List<DeviceIdentity> gpus = backend.gpus();
    for (int g = 0; g < gpus.size(); g++) {
      DeviceIdentity id = gpus.get(g);
      for (int n : dims) {
        progress.printf("attestor bench: GPU %d (%s), n=%d, %d repetitions%n", g, id.name(), n,
            repetitions);
        progress.flush();
        for (CudaBench.Figures f : CudaBench.measure(backend, g, n, repetitions)) {
          rows.add(row(g, id, f));
        }
      }
    }
    return rows;
  }

  static Row row(int g, DeviceIdentity id, CudaBench.Figures f) {
    double product = f.tflops(f.productMillis());
    double loop = f.tflops(f.loopMillis());
    Double cublas = f.cublasUnavailable() == null ? f.tflops(f.cublasMillis()) : null;
    var peak = Fp64Peaks.of(id.name());
    Double fp64 = peak.map(Fp64Peaks.Peak::fp64Tflops).orElse(null);
    Double tensor = peak.map(Fp64Peaks.Peak::fp64TensorTflops).orElse(null);
    Double predictedProduct = f.predicted().map(p -> f.tflops(p.productMicros() / 1000))
        .orElse(null);
    Double predictedLoop = f.predicted().map(p -> f.tflops(p.loopMicros() / 1000))
        .orElse(null);
    return new Row(g, id.name(), f.productKernel(), f.chosen(), f.n(), f.repetitions(),
        f.inFlight(), f.fillMillis(), f.productMillis(), f.unmonitoredProductMillis(),
        f.rowHashMillis(), f.treeMillis(), f.loopMillis(), product, loop,
        f.fillGigabytesPerSecond(), f.hashShare(), f.hashingAdds(), f.monitorOverhead(),
        f.productSlowdownInLoop(), cublas, ratio(product, cublas), ratio(loop, cublas),
        f.cublasUnavailable(), fp64, ratio(product, fp64), ratio(loop, fp64), tensor,
        predictedProduct, predictedLoop, ratio(loop, predictedLoop));
  }

  private static Double ratio(double x, Double over) {
    return over == null ? null : x / over;
  }
}
