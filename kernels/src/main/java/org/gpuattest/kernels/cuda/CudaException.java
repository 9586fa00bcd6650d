package org.gpuattest.kernels.cuda;

import java.util.Optional;
import org.gpuattest.common.util.Printable;

/**
 * A CUDA driver call returned an error: which call, and the CUresult by number and name (for
 * example {@code cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2)}), then, where the driver said more
 * (a refused PTX's JIT error log), its words on the same line.
 */
public final class CudaException extends Exception {
  /*
   * CUresult codes the backend treats specially: values of the CUDA driver API's cuda.h, as
   * JCuda 12.6's jcuda.driver.CUresult has them. Only the driver API's codes belong here; the
   * runtime API's (cudaError_t, such as cudaErrorInsufficientDriver = 35) are another numbering,
   * which the driver never returns.
   */
  public static final int INVALID_VALUE = 1;
  public static final int OUT_OF_MEMORY = 2;
  public static final int NOT_INITIALIZED = 3;
  /** The CUDA toolkit's stub libcuda.so (its lib64/stubs folder) was loaded, not the driver. */
  public static final int STUB_LIBRARY = 34;
  /** An exclusive-process (or prohibited) GPU that another process already holds. */
  public static final int DEVICE_UNAVAILABLE = 46;
  public static final int NO_DEVICE = 100;
  public static final int INVALID_DEVICE = 101;
  public static final int INVALID_CONTEXT = 201;
  public static final int INVALID_PTX = 218;
  public static final int UNSUPPORTED_PTX_VERSION = 222;
  public static final int INVALID_HANDLE = 400;
  public static final int NOT_FOUND = 500;
  public static final int ILLEGAL_ADDRESS = 700;
  public static final int LAUNCH_TIMEOUT = 702;
  public static final int CONTEXT_IS_DESTROYED = 709;
  public static final int HARDWARE_STACK_ERROR = 714;
  public static final int ILLEGAL_INSTRUCTION = 715;
  public static final int MISALIGNED_ADDRESS = 716;
  public static final int INVALID_ADDRESS_SPACE = 717;
  public static final int INVALID_PC = 718;
  public static final int LAUNCH_FAILED = 719;
  /** NVSwitch systems: the Fabric Manager is not running (yet). */
  public static final int SYSTEM_NOT_READY = 802;
  /** libcuda.so and the loaded NVIDIA kernel module are of different driver versions. */
  public static final int SYSTEM_DRIVER_MISMATCH = 803;
  /** The CUDA forward-compatibility package does not support this GPU. */
  public static final int COMPAT_NOT_SUPPORTED_ON_DEVICE = 804;

  /** The most characters of a driver's log one message carries. */
  static final int MAX_LOG_CHARS = 400;

  private final String call;
  private final int code;
  private final String codeName;

  public CudaException(String call, int code, String codeName) {
    this(call, code, codeName, "");
  }

  /**
   * @param log what the driver wrote about the failure (a JIT error log), or "": made one
   *     printable line of at most {@link #MAX_LOG_CHARS} characters
   */
  public CudaException(String call, int code, String codeName, String log) {
    super(call + ": " + codeName + " (" + code + ")" + logLine(log));
    this.call = call;
    this.code = code;
    this.codeName = codeName;
  }

  /** The same code, its call said to be made {@code why} ("after ..."); this is the cause. */
  CudaException because(String why) {
    CudaException e = new CudaException(call + " " + why, code, codeName);
    e.initCause(this);
    return e;
  }

  /** ": " and the log as one escaped line, cut at {@link #MAX_LOG_CHARS}; "" for no log. */
  static String logLine(String log) {
    String line = log.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    if (line.isEmpty()) {
      return "";
    }
    if (line.length() > MAX_LOG_CHARS) {
      line = line.substring(0, MAX_LOG_CHARS) + "...";
    }
    return ": " + Printable.escape(line);
  }

  public String call() {
    return call;
  }

  public int code() {
    return code;
  }

  /**
   * Whether this is a kernel's fault that poisons its context: cuda.h says of each of these
   * that the context "cannot be used" and "any further CUDA work will return the same error",
   * so every later call in the context fails with it until the primary context is reset
   * (cuDevicePrimaryCtxReset) or destroyed.
   */
  public boolean poisonsContext() {
    return switch (code) {
      case ILLEGAL_ADDRESS, LAUNCH_TIMEOUT, HARDWARE_STACK_ERROR, ILLEGAL_INSTRUCTION,
          MISALIGNED_ADDRESS, INVALID_ADDRESS_SPACE, INVALID_PC, LAUNCH_FAILED -> true;
      default -> false;
    };
  }

  /** Whether the context this call worked in is gone or unusable: nothing more runs in it. */
  boolean contextLost() {
    return poisonsContext() || code == INVALID_CONTEXT || code == CONTEXT_IS_DESTROYED;
  }

  /**
   * What an operator does about a code that says the host is set up wrong, in words naming
   * the cause and the fix; empty for any other code.
   */
  Optional<String> remedy() {
    return Optional.ofNullable(switch (code) {
      case STUB_LIBRARY -> "the CUDA toolkit's stub libcuda.so was loaded instead of the NVIDIA"
          + " driver's (a .../lib64/stubs folder on LD_LIBRARY_PATH, or no driver installed):"
          + " take the stubs folder off LD_LIBRARY_PATH, or install the NVIDIA driver";
      case DEVICE_UNAVAILABLE -> "the GPU is in exclusive-process compute mode and another"
          + " process holds it (or its compute mode is Prohibited): stop that process, or set"
          + " the compute mode to Default with 'nvidia-smi -i <gpu> -c DEFAULT'";
      case SYSTEM_NOT_READY -> "the system is not ready for CUDA: on an NVSwitch system (HGX,"
          + " DGX) the NVIDIA Fabric Manager must be running ('systemctl start"
          + " nvidia-fabricmanager')";
      case SYSTEM_DRIVER_MISMATCH -> "the NVIDIA driver library (libcuda.so) and the loaded"
          + " NVIDIA kernel module are of different versions: reboot after a driver update, or"
          + " reinstall the driver";
      case COMPAT_NOT_SUPPORTED_ON_DEVICE -> "the CUDA forward-compatibility package"
          + " (cuda-compat) in use does not support this GPU: take its folder off"
          + " LD_LIBRARY_PATH, or install an NVIDIA driver for CUDA 12.6 or later";
      default -> null;
    });
  }
}
