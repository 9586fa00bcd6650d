package org.gpuattest.kernels.emu;

import java.util.List;
import org.gpuattest.common.gpu.SmArchitecture;

/**
 * What the performance model ({@link PerformanceModel}) knows of one GPU model: published
 * per-SM throughputs, clock and bandwidths. Each figure names its source; none was measured by
 * this project. Sources:
 *
 * <ol>
 *   <li>NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022): per SM 64 FP64 units (32
 *       on A100), 64 INT32 units, FP64 tensor cores twice A100's rate per SM per clock.
 *   <li>NVIDIA H100 datasheet (2023): SXM 34 / 67 TFLOP/s FP64 / FP64 tensor, 3.35 TB/s; PCIe
 *       26 / 51 TFLOP/s, 2.0 TB/s. NVIDIA H200 datasheet (2024): 34 / 67 TFLOP/s, 4.8 TB/s.
 *       NVIDIA A100 datasheet (2021): 9.7 / 19.5 TFLOP/s, 80 GB SXM 2,039 GB/s.
 *   <li>Boost clocks: H100 SXM 1.98 GHz (132 SMs x 64 FMA x 2 x 1.98 GHz = 33.5 TFLOP/s, the
 *       FFMA peak reported with the 13.7 TFLOP/s figure, docs/benchmarks.md); H100 PCIe
 *       1.755 GHz and A100 1.41 GHz (Chips and Cheese, "Nvidia's H100: Funny L2, and Tons of
 *       Bandwidth", 2023, reported device table; both also give the datasheet FP64 figures:
 *       114 x 128 x 1.755 = 25.6, 108 x 64 x 1.41 = 9.7).
 *   <li>Shared memory: 32 banks of 4 bytes, one wavefront (128 bytes) per clock per SM (CUDA
 *       C++ Programming Guide, "Shared Memory", compute capability 5.x and later).
 *   <li>L2 bandwidth: the full GH100 (144 SMs at 1.755 GHz) 8,986 GB/s and GA100 (128 SMs at
 *       1.41 GHz) 7,219 GB/s, from the table "Hardware features of different Nvidia GPU
 *       architectures (full implementation)" of the article PMC10448217 (Table 3), scaled here
 *       by enabled SMs and clock. An upper figure: microbenchmarks see less.
 * </ol>
 *
 * @param label the short name the tables use
 * @param model the name the driver reports (testdata/gpu-profiles.json)
 * @param fp64FmaPerClock FP64 FMA lanes per SM per clock [1]
 * @param dmmaFlopsPerClock FP64 tensor-core flop per SM per clock [1, 2]: H100 256, A100 128
 * @param int32PerClock INT32 lanes per SM per clock [1]
 */
public record GpuSpec(String label, String model, String capability, int sms, double clockGhz,
    int fp64FmaPerClock, int dmmaFlopsPerClock, int int32PerClock, double dramGBs,
    double l2GBs) {
  /** Shared-memory wavefronts per SM per clock [4]. */
  public static final int SHARED_WAVEFRONTS_PER_CLOCK = 1;
  /** Bytes of one shared-memory wavefront [4]. */
  public static final int WAVEFRONT_BYTES = 128;

  public static final GpuSpec H100_SXM = new GpuSpec("H100 SXM", "NVIDIA H100 80GB HBM3", "9.0",
      132, 1.98, 64, 256, 64, 3350, 8986.0 * 132 / 144 * 1.98 / 1.755);
  public static final GpuSpec H100_PCIE = new GpuSpec("H100 PCIe", "NVIDIA H100 PCIe", "9.0",
      114, 1.755, 64, 256, 64, 2000, 8986.0 * 114 / 144);
  /** The H100 SXM's chip and clock with HBM3e [2]. */
  public static final GpuSpec H200 = new GpuSpec("H200", "NVIDIA H200", "9.0", 132, 1.98, 64,
      256, 64, 4800, 8986.0 * 132 / 144 * 1.98 / 1.755);
  public static final GpuSpec A100 = new GpuSpec("A100 SXM", "NVIDIA A100-SXM4-80GB", "8.0",
      108, 1.41, 32, 128, 64, 2039, 7219.0 * 108 / 128);

  public static final List<GpuSpec> ALL = List.of(H100_SXM, H100_PCIE, H200, A100);

  public SmArchitecture arch() {
    return SmArchitecture.find(capability).orElseThrow();
  }

  /** FP64 FMA peak, TFLOP/s: what the FFMA kernels are measured against. */
  public double fp64Tflops() {
    return sms * fp64FmaPerClock * 2 * clockGhz / 1000;
  }

  public double fp64TensorTflops() {
    return sms * dmmaFlopsPerClock * clockGhz / 1000;
  }
}
