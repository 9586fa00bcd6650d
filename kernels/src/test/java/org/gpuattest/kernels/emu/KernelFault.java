package org.gpuattest.kernels.emu;

/**
 * A launch that faulted, as the GPU reports it at the next synchronisation, with the CUresult a
 * real GPU gives ({@link #code}: CUDA_ERROR_ILLEGAL_ADDRESS 700, CUDA_ERROR_MISALIGNED_ADDRESS
 * 716, CUDA_ERROR_LAUNCH_FAILED 719 for the sanitizer's other findings) and a message naming
 * the kernel, the PTX line, the CTA, the thread and the address, as compute-sanitizer does.
 */
public final class KernelFault extends Exception {
  public static final int ILLEGAL_ADDRESS = 700;
  public static final int ILLEGAL_INSTRUCTION = 715;
  public static final int MISALIGNED_ADDRESS = 716;
  public static final int LAUNCH_FAILED = 719;

  private final int code;

  public KernelFault(int code, String message) {
    super(message);
    this.code = code;
  }

  public int code() {
    return code;
  }
}
