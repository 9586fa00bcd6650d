package org.gpuattest.kernels.emu;

/**
 * A PTX module the emulated driver refuses to load, with the CUresult a real driver gives
 * ({@link #code}: CUDA_ERROR_INVALID_PTX 218, CUDA_ERROR_UNSUPPORTED_PTX_VERSION 222,
 * CUDA_ERROR_NO_BINARY_FOR_GPU 209) and a JIT log naming the line, as ptxas writes one.
 */
public final class PtxLoadException extends Exception {
  public static final int NO_BINARY_FOR_GPU = 209;
  public static final int INVALID_PTX = 218;
  public static final int UNSUPPORTED_PTX_VERSION = 222;

  private final int code;
  private final String log;

  public PtxLoadException(int code, int line, String message) {
    super("line " + line + ": " + message);
    this.code = code;
    this.log = "ptxas application ptx input, line " + line + "; error   : " + message + "\n";
  }

  public int code() {
    return code;
  }

  /** The JIT error log, as cuModuleLoadDataEx hands it back. */
  public String log() {
    return log;
  }
}
