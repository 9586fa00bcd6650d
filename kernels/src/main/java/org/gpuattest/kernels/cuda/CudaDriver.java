package org.gpuattest.kernels.cuda;

/**
 * The CUDA driver calls the CUDA backend makes, and nothing more: a thin seam over JCuda's
 * driver API ({@link JCudaDriverApi}) so that everything above it (discovery, one context per
 * device, module loading, launches, running out of memory, a refused PTX, a device failing
 * mid-run) is tested without a GPU through a fake driver. Every call checks its CUresult and
 * throws {@link CudaException} naming the call and the code; none returns an error code.
 *
 * <p>Contexts are current per thread in the driver API, so callers make a context current
 * ({@link #setCurrent}) before any call that works in one.
 */
public interface CudaDriver {
  /** cuInit. */
  void init() throws CudaException;

  /** cuDriverGetVersion: 1000 * major + 10 * minor, for example 12060 for CUDA 12.6. */
  int driverVersion() throws CudaException;

  /** cuDeviceGetCount. */
  int deviceCount() throws CudaException;

  /** What the driver says about device {@code ordinal}. */
  DeviceProperties properties(int ordinal) throws CudaException;

  /** Retains the device's primary context (shared by everyone who retains it). */
  Context retainContext(int ordinal) throws CudaException;

  /** Releases a context from {@link #retainContext}. */
  void releaseContext(Context context) throws CudaException;

  /** Makes a context current on the calling thread. */
  void setCurrent(Context context) throws CudaException;

  /**
   * cuDevicePrimaryCtxReset: destroys everything in the device's primary context (modules,
   * streams, events, memory) and clears a kernel's fault, which otherwise makes every later
   * call in it fail ({@link CudaException#poisonsContext}). Retains stay counted, and every
   * handle made in the context before is dead; its holders release it and retain it anew.
   */
  void resetPrimaryContext(int ordinal) throws CudaException;

  /**
   * cuModuleLoadDataEx of PTX text, asking for the JIT compiler's error log: a refused PTX
   * (CUDA_ERROR_UNSUPPORTED_PTX_VERSION, CUDA_ERROR_INVALID_PTX, ...) throws with that log in
   * the message ({@link CudaException#CudaException(String, int, String, String)}).
   */
  Module loadModule(String ptx) throws CudaException;

  void unloadModule(Module module) throws CudaException;

  Function function(Module module, String name) throws CudaException;

  /**
   * cuFuncSetAttribute(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES): lets launches of
   * {@code function} pass up to {@code bytes} of dynamic shared memory, where more than the
   * 48 KiB default is wanted. A GPU whose blocks cannot have that much refuses
   * (CUDA_ERROR_INVALID_VALUE); without it, such a launch is refused.
   */
  void setMaxDynamicSharedBytes(Function function, int bytes) throws CudaException;

  /** cuOccupancyMaxActiveBlocksPerMultiprocessor. */
  int maxActiveBlocksPerSm(Function function, int blockThreads, int dynamicSharedBytes)
      throws CudaException;

  DevicePointer allocate(long bytes) throws CudaException;

  void free(DevicePointer pointer) throws CudaException;

  /** Sets {@code bytes} bytes at {@code pointer} to zero, asynchronously on {@code stream}. */
  void zero(DevicePointer pointer, long bytes, Stream stream) throws CudaException;

  /** Copies {@code dst.length} bytes from the device, synchronously. */
  void copyToHost(byte[] dst, DevicePointer src) throws CudaException;

  /**
   * Copies {@code bytes} bytes from {@code src} to {@code dst} on the device, asynchronously on
   * {@code stream} (cuMemcpyDtoDAsync): 'attestor bench' times it as the yardstick of the
   * memory pass's bandwidth. A driver without it answers CUDA_ERROR_NOT_SUPPORTED.
   */
  default void copyOnDevice(DevicePointer dst, DevicePointer src, long bytes, Stream stream)
      throws CudaException {
    throw new CudaException("cuMemcpyDtoDAsync", 801, "CUDA_ERROR_NOT_SUPPORTED");
  }

  Stream createStream() throws CudaException;

  void destroyStream(Stream stream) throws CudaException;

  /**
   * Launches a kernel. Each argument is a {@link DevicePointer}, an {@link Integer} (a 32-bit
   * parameter, signed or unsigned) or a {@link Long} (a 64-bit one), in the kernel's order.
   */
  void launch(Function function, Dim3 grid, Dim3 block, int dynamicSharedBytes, Stream stream,
      Object... args) throws CudaException;

  /**
   * Makes work queued on {@code stream} after this call wait until {@code event}, as last
   * recorded before this call, has completed (cuStreamWaitEvent).
   */
  void waitEvent(Stream stream, Event event) throws CudaException;

  /** Waits until everything queued on {@code stream} has run; reports a kernel's fault. */
  void synchronize(Stream stream) throws CudaException;

  Event createEvent() throws CudaException;

  void record(Event event, Stream stream) throws CudaException;

  /** Milliseconds between two recorded, completed events. */
  float elapsedMillis(Event start, Event end) throws CudaException;

  void destroyEvent(Event event) throws CudaException;

  /** A device's properties as the driver reports them; uuid is the 16 raw bytes. */
  record DeviceProperties(String name, byte[] uuid, String pciBusId, int ccMajor, int ccMinor,
      int smCount, long totalMemoryBytes) {
    public DeviceProperties {
      uuid = uuid.clone();
    }

    @Override
    public byte[] uuid() {
      return uuid.clone();
    }
  }

  /** A grid or block shape. */
  record Dim3(int x, int y, int z) {
    public static Dim3 of(int x) {
      return new Dim3(x, 1, 1);
    }

    public static Dim3 of(int x, int y) {
      return new Dim3(x, y, 1);
    }

    public long count() {
      return (long) x * y * z;
    }
  }

  /** Opaque driver handles: what each wraps belongs to the driver that made it. */
  record Context(Object handle, int ordinal) {}

  record Module(Object handle) {}

  record Function(Object handle, String name) {}

  record Stream(Object handle) {}

  record Event(Object handle) {}
}
