package org.gpuattest.kernels.cuda;

/**
 * A CUDA driver call returned an error: which call, and the CUresult by number and name (for
 * example {@code cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2)}).
 */
public final class CudaException extends Exception {
  /** CUresult codes the backend treats specially (values from the CUDA driver API's cuda.h). */
  public static final int INVALID_VALUE = 1;
  public static final int OUT_OF_MEMORY = 2;
  public static final int NOT_INITIALIZED = 3;
  public static final int NO_DEVICE = 100;
  public static final int INVALID_DEVICE = 101;
  public static final int INVALID_PTX = 218;
  public static final int UNSUPPORTED_PTX_VERSION = 222;
  public static final int NOT_FOUND = 500;
  public static final int LAUNCH_FAILED = 719;
  public static final int INSUFFICIENT_DRIVER = 35;

  private final String call;
  private final int code;

  public CudaException(String call, int code, String codeName) {
    super(call + ": " + codeName + " (" + code + ")");
    this.call = call;
    this.code = code;
  }

  public String call() {
    return call;
  }

  public int code() {
    return code;
  }
}
