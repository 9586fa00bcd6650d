package org.gpuattest.kernels.cuda;

/**
 * CUDA cannot run on this host at all: no NVIDIA driver library, no device, or a driver too
 * old. The message says which, in words an operator can act on.
 */
public final class CudaUnavailableException extends Exception {
  public CudaUnavailableException(String message) {
    super(message);
  }

  /** What a failure to load JCuda's native binding means for the operator. */
  static String describeLinkError(Throwable e) {
    String m = String.valueOf(e.getMessage());
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      m += " / " + c.getMessage(); // a failed class initialisation names its first cause here
    }
    if (m.contains("libcuda")) {
      return "no NVIDIA driver: libcuda.so.1 cannot be loaded (install the NVIDIA driver)";
    }
    if (m.contains("undefined symbol")) {
      return "the NVIDIA driver is too old: its libcuda.so.1 lacks a function JCuda 12.6 binds ("
          + m + "); update the driver";
    }
    if (e instanceof NoClassDefFoundError) {
      return "the JCuda classes are missing from this build (" + m + ")";
    }
    return "JCuda's native driver binding cannot be loaded here ("
        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + m;
  }
}
