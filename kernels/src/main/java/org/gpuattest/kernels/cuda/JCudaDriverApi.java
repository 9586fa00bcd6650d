package org.gpuattest.kernels.cuda;

import java.nio.charset.StandardCharsets;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUuuid;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;

/**
 * {@link CudaDriver} over JCuda's driver API: each method is one driver call (two where a
 * device handle is looked up first) with its CUresult checked. Nothing here decides anything;
 * that is {@link CudaBackend}'s and {@link CudaDevice}'s job, tested through a fake driver.
 */
public final class JCudaDriverApi implements CudaDriver {
  /** Room for the JIT compiler's error log of a refused PTX (ptxas writes a line per error). */
  static final int JIT_LOG_BYTES = 8192;

  private JCudaDriverApi() {}

  /** Why the binding could not load, kept: a class whose initialisation failed never retries. */
  private static String loadFailure;

  /**
   * Loads JCuda's driver binding, which needs the NVIDIA driver's libcuda.so.1.
   *
   * @throws CudaUnavailableException naming what is missing (the same words every time: the JVM
   *     does not retry a failed native load, and its second error would only say "Could not
   *     initialize class")
   */
  public static synchronized CudaDriver load() throws CudaUnavailableException {
    if (loadFailure != null) {
      throw new CudaUnavailableException(loadFailure);
    }
    try {
      JCudaDriver.setExceptionsEnabled(false);
      return new JCudaDriverApi();
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      loadFailure = CudaUnavailableException.describeLinkError(e);
      throw new CudaUnavailableException(loadFailure);
    }
  }

  private static void check(String call, int result) throws CudaException {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new CudaException(call, result, CUresult.stringFor(result));
    }
  }

  private static CUdevice device(int ordinal) throws CudaException {
    CUdevice d = new CUdevice();
    check("cuDeviceGet", JCudaDriver.cuDeviceGet(d, ordinal));
    return d;
  }

  private static CUdeviceptr ptr(DevicePointer p) {
    CUdeviceptr base = (CUdeviceptr) p.allocation();
    return p.offset() == 0 ? base : base.withByteOffset(p.offset());
  }

  @Override
  public void init() throws CudaException {
    check("cuInit", JCudaDriver.cuInit(0));
  }

  @Override
  public int driverVersion() throws CudaException {
    int[] v = new int[1];
    check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(v));
    return v[0];
  }

  @Override
  public int deviceCount() throws CudaException {
    int[] n = new int[1];
    check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(n));
    return n[0];
  }

  @Override
  public DeviceProperties properties(int ordinal) throws CudaException {
    CUdevice d = device(ordinal);
    byte[] name = new byte[256];
    check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(name, name.length, d));
    CUuuid uuid = new CUuuid();
    check("cuDeviceGetUuid", JCudaDriver.cuDeviceGetUuid(uuid, d));
    String[] bus = new String[1];
    check("cuDeviceGetPCIBusId", JCudaDriver.cuDeviceGetPCIBusId(bus, 64, d));
    long[] memory = new long[1];
    check("cuDeviceTotalMem", JCudaDriver.cuDeviceTotalMem(memory, d));
    return new DeviceProperties(cString(name), uuid.bytes,
        bus[0].trim(),
        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), memory[0]);
  }

  private static int attribute(CUdevice d, int attribute) throws CudaException {
    int[] v = new int[1];
    check("cuDeviceGetAttribute", JCudaDriver.cuDeviceGetAttribute(v, attribute, d));
    return v[0];
  }

  @Override
  public Context retainContext(int ordinal) throws CudaException {
    CUcontext c = new CUcontext();
    check("cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(c, device(ordinal)));
    return new Context(c, ordinal);
  }

  @Override
  public void releaseContext(Context context) throws CudaException {
    check("cuDevicePrimaryCtxRelease",
        JCudaDriver.cuDevicePrimaryCtxRelease(device(context.ordinal())));
  }

  @Override
  public void setCurrent(Context context) throws CudaException {
    check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent((CUcontext) context.handle()));
  }

  @Override
  public void resetPrimaryContext(int ordinal) throws CudaException {
    check("cuDevicePrimaryCtxReset", JCudaDriver.cuDevicePrimaryCtxReset(device(ordinal)));
  }

  /**
   * cuModuleLoadDataEx (through JCuda's cuModuleLoadDataJIT, which copies the log back into the
   * array) with CU_JIT_ERROR_LOG_BUFFER and its size, so a refusal says which line and why.
   */
  @Override
  public Module loadModule(String ptx) throws CudaException {
    byte[] text = ptx.getBytes(StandardCharsets.US_ASCII);
    byte[] terminated = java.util.Arrays.copyOf(text, text.length + 1); // a C string
    byte[] log = new byte[JIT_LOG_BYTES];
    JITOptions jit = new JITOptions();
    jit.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, log);
    jit.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, log.length);
    CUmodule m = new CUmodule();
    int result = JCudaDriver.cuModuleLoadDataJIT(m, Pointer.to(terminated), jit);
    if (result != CUresult.CUDA_SUCCESS) {
      throw new CudaException("cuModuleLoadDataEx", result, CUresult.stringFor(result),
          cString(jit.getBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER)));
    }
    return new Module(m);
  }

  /** The text before the first NUL (the driver's logs are NUL-terminated C strings). */
  static String cString(byte[] bytes) {
    if (bytes == null) {
      return "";
    }
    int len = 0;
    while (len < bytes.length && bytes[len] != 0) {
      len++;
    }
    return new String(bytes, 0, len, StandardCharsets.UTF_8);
  }

  @Override
  public void unloadModule(Module module) throws CudaException {
    check("cuModuleUnload", JCudaDriver.cuModuleUnload((CUmodule) module.handle()));
  }

  @Override
  public Function function(Module module, String name) throws CudaException {
    CUfunction f = new CUfunction();
    check("cuModuleGetFunction",
        JCudaDriver.cuModuleGetFunction(f, (CUmodule) module.handle(), name));
    return new Function(f, name);
  }

  @Override
  public void setMaxDynamicSharedBytes(Function function, int bytes) throws CudaException {
    check("cuFuncSetAttribute(" + function.name() + ", MAX_DYNAMIC_SHARED_SIZE_BYTES, " + bytes
        + ")", JCudaDriver.cuFuncSetAttribute((CUfunction) function.handle(),
            CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes));
  }

  @Override
  public int maxActiveBlocksPerSm(Function function, int blockThreads, int dynamicSharedBytes)
      throws CudaException {
    int[] n = new int[1];
    check("cuOccupancyMaxActiveBlocksPerMultiprocessor",
        JCudaDriver.cuOccupancyMaxActiveBlocksPerMultiprocessor(n,
            (CUfunction) function.handle(), blockThreads, dynamicSharedBytes));
    return n[0];
  }

  @Override
  public DevicePointer allocate(long bytes) throws CudaException {
    CUdeviceptr p = new CUdeviceptr();
    check("cuMemAlloc", JCudaDriver.cuMemAlloc(p, bytes));
    return new DevicePointer(p, bytes);
  }

  @Override
  public void free(DevicePointer pointer) throws CudaException {
    check("cuMemFree", JCudaDriver.cuMemFree((CUdeviceptr) pointer.allocation()));
  }

  @Override
  public void zero(DevicePointer pointer, long bytes, Stream stream) throws CudaException {
    check("cuMemsetD8Async",
        JCudaDriver.cuMemsetD8Async(ptr(pointer), (byte) 0, bytes, (CUstream) stream.handle()));
  }

  @Override
  public void copyToHost(byte[] dst, DevicePointer src) throws CudaException {
    check("cuMemcpyDtoH", JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), ptr(src), dst.length));
  }

  @Override
  public void copyOnDevice(DevicePointer dst, DevicePointer src, long bytes, Stream stream)
      throws CudaException {
    check("cuMemcpyDtoDAsync", JCudaDriver.cuMemcpyDtoDAsync(ptr(dst), ptr(src), bytes,
        (CUstream) stream.handle()));
  }

  @Override
  public Stream createStream() throws CudaException {
    CUstream s = new CUstream();
    check("cuStreamCreate", JCudaDriver.cuStreamCreate(s, 0));
    return new Stream(s);
  }

  @Override
  public void destroyStream(Stream stream) throws CudaException {
    check("cuStreamDestroy", JCudaDriver.cuStreamDestroy((CUstream) stream.handle()));
  }

  @Override
  public void launch(Function function, Dim3 grid, Dim3 block, int dynamicSharedBytes,
      Stream stream, Object... args) throws CudaException {
    Pointer[] params = new Pointer[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a instanceof DevicePointer) {
        params[i] = Pointer.to(ptr((DevicePointer) a));
      } else if (a instanceof Integer) {
        params[i] = Pointer.to(new int[] {(Integer) a});
      } else if (a instanceof Long) {
        params[i] = Pointer.to(new long[] {(Long) a});
      } else {
        throw new IllegalArgumentException("kernel argument " + i + " of " + function.name()
            + " is a " + (a == null ? "null" : a.getClass().getSimpleName()));
      }
    }
    check("cuLaunchKernel(" + function.name() + ")",
        JCudaDriver.cuLaunchKernel((CUfunction) function.handle(), grid.x(), grid.y(), grid.z(),
            block.x(), block.y(), block.z(), dynamicSharedBytes, (CUstream) stream.handle(),
            Pointer.to(params), null));
  }

  @Override
  public void waitEvent(Stream stream, Event event) throws CudaException {
    check("cuStreamWaitEvent", JCudaDriver.cuStreamWaitEvent((CUstream) stream.handle(),
        (CUevent) event.handle(), 0));
  }

  @Override
  public void synchronize(Stream stream) throws CudaException {
    check("cuStreamSynchronize", JCudaDriver.cuStreamSynchronize((CUstream) stream.handle()));
  }

  @Override
  public Event createEvent() throws CudaException {
    CUevent e = new CUevent();
    check("cuEventCreate", JCudaDriver.cuEventCreate(e, 0));
    return new Event(e);
  }

  @Override
  public void record(Event event, Stream stream) throws CudaException {
    check("cuEventRecord",
        JCudaDriver.cuEventRecord((CUevent) event.handle(), (CUstream) stream.handle()));
  }

  @Override
  public float elapsedMillis(Event start, Event end) throws CudaException {
    float[] ms = new float[1];
    check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(ms, (CUevent) start.handle(),
        (CUevent) end.handle()));
    return ms[0];
  }

  @Override
  public void destroyEvent(Event event) throws CudaException {
    check("cuEventDestroy", JCudaDriver.cuEventDestroy((CUevent) event.handle()));
  }
}
