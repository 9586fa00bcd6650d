package org.gpuattest.kernels.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;

/**
 * cuBLAS DGEMM on the same GPU as the canonical kernel, the yardstick 'attestor bench' reports
 * against. It needs libcublas.so.12, which hosts with only a CUDA 13 driver and toolkit lack,
 * so it is optional: {@link #time} says plainly why it could not run instead of failing.
 */
final class CublasDgemm {
  private CublasDgemm() {}

  /** Milliseconds per DGEMM of n x n matrices, or why there is no figure. */
  record Outcome(double millis, String unavailable) {
    boolean ran() {
      return unavailable == null;
    }
  }

  /**
   * Times {@code reps} DGEMMs C = A B (column-major, as cuBLAS reads them: the same work) on
   * the calling thread's current context, after one untimed warm-up.
   */
  static Outcome time(DevicePointer a, DevicePointer b, DevicePointer c, int n, int reps,
      CudaDriver driver, CudaDriver.Stream stream) {
    if (!(a.allocation() instanceof CUdeviceptr)) {
      return new Outcome(Double.NaN, "cuBLAS runs only on the real driver");
    }
    cublasHandle handle = new cublasHandle();
    try {
      JCublas2.setExceptionsEnabled(false);
      int status = JCublas2.cublasCreate(handle);
      if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
        return new Outcome(Double.NaN, "cublasCreate: " + cublasStatus.stringFor(status));
      }
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      return new Outcome(Double.NaN, "cuBLAS cannot load here (JCublas needs libcublas.so.12"
          + " from a CUDA 12 toolkit or runtime): " + e.getMessage());
    }
    try {
      Pointer one = Pointer.to(new double[] {1.0});
      Pointer zero = Pointer.to(new double[] {0.0});
      long start = 0;
      for (int r = 0; r <= reps; r++) {
        if (r == 1) {
          driver.synchronize(stream);
          jcuda.driver.JCudaDriver.cuCtxSynchronize();
          start = System.nanoTime();
        }
        int status = JCublas2.cublasDgemm(handle, cublasOperation.CUBLAS_OP_N,
            cublasOperation.CUBLAS_OP_N, n, n, n, one, (CUdeviceptr) a.allocation(), n,
            (CUdeviceptr) b.allocation(), n, zero, (CUdeviceptr) c.allocation(), n);
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
          return new Outcome(Double.NaN, "cublasDgemm: " + cublasStatus.stringFor(status));
        }
      }
      int sync = jcuda.driver.JCudaDriver.cuCtxSynchronize();
      if (sync != 0) {
        return new Outcome(Double.NaN, "cuCtxSynchronize after cuBLAS: "
            + jcuda.driver.CUresult.stringFor(sync));
      }
      return new Outcome((System.nanoTime() - start) / 1e6 / reps, null);
    } catch (CudaException e) {
      return new Outcome(Double.NaN, e.getMessage());
    } finally {
      JCublas2.cublasDestroy(handle);
    }
  }
}
