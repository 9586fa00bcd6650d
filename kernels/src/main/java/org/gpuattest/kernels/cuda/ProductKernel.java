package org.gpuattest.kernels.cuda;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;

/**
 * The two kernels that compute canonical-v1's product (docs/protocol.md §1.5), with the same
 * bits: FP64 tensor cores (mma.m8n8k4.f64, compute capability 8.0 and up) and plain FFMA (every
 * GPU). A device takes the tensor-core kernel where its GPU has them and a probe against the
 * CPU reference agrees ({@link ProductProbe}), and the FFMA kernel otherwise.
 */
public enum ProductKernel {
  FFMA(Kernel.MATMUL, Kernel.MATMUL_UNMONITORED),
  DMMA(Kernel.MATMUL_DMMA, Kernel.MATMUL_DMMA_UNMONITORED);

  final Kernel monitored;
  final Kernel unmonitored;

  ProductKernel(Kernel monitored, Kernel unmonitored) {
    this.monitored = monitored;
    this.unmonitored = unmonitored;
  }

  Dim3 grid(int n) {
    return this == DMMA ? KernelGeometry.dmmaGrid(n) : KernelGeometry.matmulGrid(n);
  }

  Dim3 block() {
    return this == DMMA ? KernelGeometry.dmmaBlock() : KernelGeometry.matmulBlock();
  }

  /** Whether a kernel's PTX may be loaded on a GPU of this compute capability ("9.0"). */
  static boolean loadable(Kernel k, String computeCapability) {
    boolean tensor = k == Kernel.MATMUL_DMMA || k == Kernel.MATMUL_DMMA_UNMONITORED;
    return !tensor || hasTensorCores(computeCapability);
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
