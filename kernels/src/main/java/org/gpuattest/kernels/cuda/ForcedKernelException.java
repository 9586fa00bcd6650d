package org.gpuattest.kernels.cuda;

import org.gpuattest.kernels.BackendException;

/**
 * The product kernel an operator forced ({@link CudaBackend#withProductKernel}) cannot run on
 * a GPU at the n asked for: the GPU lacks FP64 tensor cores, n is no multiple of its tile, or
 * its probe differs from the CPU or faults ({@link ProductChoice}). Nothing falls back to
 * another kernel; the message names the GPU, the kernel and why.
 */
public final class ForcedKernelException extends BackendException {
  public ForcedKernelException(String message) {
    super(message);
  }
}
