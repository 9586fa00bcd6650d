package org.gpuattest.kernels.cuda;

import java.util.List;
import java.util.Locale;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;

/**
 * The kernels that compute canonical-v1's product (docs/protocol.md §1.5), all with the same
 * bits: FP64 tensor cores with 128 x 128 block tiles (n a multiple of 128), FP64 tensor cores
 * with 64 x 64 tiles (every n), both mma.m8n8k4.f64 on compute capability 8.0 and up, and
 * plain FFMA (every GPU). A device takes the first of {@link #PREFERENCE} its GPU and n allow
 * and whose probe against the CPU reference agrees ({@link ProductChoice}).
 */
public enum ProductKernel {
  FFMA(Kernel.MATMUL, Kernel.MATMUL_UNMONITORED, ProductGeometry.MATMUL_FFMA),
  DMMA(Kernel.MATMUL_DMMA, Kernel.MATMUL_DMMA_UNMONITORED, ProductGeometry.MATMUL_DMMA),
  DMMA_WIDE(Kernel.MATMUL_DMMA_WIDE, Kernel.MATMUL_DMMA_WIDE_UNMONITORED,
      ProductGeometry.MATMUL_DMMA_WIDE);

  /** Fastest first (docs/benchmarks.md, "Product kernel versions"); FFMA, the last, always runs. */
  static final List<ProductKernel> PREFERENCE = List.of(DMMA_WIDE, DMMA, FFMA);

  final Kernel monitored;
  final Kernel unmonitored;
  /** Its row of the geometry table the validator derives the SM bounds from. */
  final ProductGeometry geometry;
  /** The side of the square tile of C one block computes: n must be a multiple of it. */
  final int tile;

  ProductKernel(Kernel monitored, Kernel unmonitored, ProductGeometry geometry) {
    this.monitored = monitored;
    this.unmonitored = unmonitored;
    this.geometry = geometry;
    this.tile = geometry.tile;
  }

  /** The name 'attestor bench' reports: "ffma", "dmma", "dmma_wide". */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  Dim3 grid(int n) {
    return switch (this) {
      case FFMA -> KernelGeometry.matmulGrid(n);
      case DMMA -> KernelGeometry.dmmaGrid(n);
      case DMMA_WIDE -> KernelGeometry.dmmaWideGrid(n);
    };
  }

  Dim3 block() {
    return this == FFMA ? KernelGeometry.matmulBlock() : KernelGeometry.dmmaBlock();
  }

  /** Dynamic shared memory of every launch (both entries take the same). */
  int dynamicSharedBytes() {
    return monitored.dynamicSharedBytes;
  }

  /** Whether this kernel's tile divides n (n is a multiple of 64 by §1.1). */
  boolean fits(int n) {
    return n > 0 && n % tile == 0;
  }

  boolean tensorCores() {
    return this != FFMA;
  }

  /** Whether a kernel's PTX may be loaded on a GPU of this compute capability ("9.0"). */
  static boolean loadable(Kernel k, String computeCapability) {
    for (ProductKernel p : values()) {
      if (p.tensorCores() && (p.monitored == k || p.unmonitored == k)) {
        return hasTensorCores(computeCapability);
      }
    }
    return true;
  }

  /** FP64 tensor cores: compute capability 8.0 and up ({@link KernelGeometry}). */
  static boolean hasTensorCores(String computeCapability) {
    String[] parts = computeCapability.split("\\.");
    try {
      int cc = Integer.parseInt(parts[0]) * 10 + (parts.length > 1 ? Integer.parseInt(parts[1])
          : 0);
      return cc >= KernelGeometry.DMMA_MIN_COMPUTE_CAPABILITY;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
