package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.kernels.cuda.FakeStreams.FakeEvent;
import org.gpuattest.kernels.cuda.FakeStreams.FakeStream;

/**
 * A CUDA driver without a GPU, for testing everything above {@link CudaDriver}: it keeps device
 * memory in byte buffers, runs each launch through the kernels' Java models
 * ({@link KernelModels}) when a stream is waited for, in an order its events allow
 * ({@link FakeStreams}), checks that a context is current where the driver needs one and that every
 * handle is live, counts what is live (so a test sees any leak), and fails on request: no
 * device, a refused PTX with its JIT log, out of memory, a kernel fault found at the next wait.
 *
 * <p>What it is still for, now that {@link EmulatedCudaDriver} runs the shipped PTX (issue 20
 * item 4). A test whose point is what the GPU computes, or what the prover does with a GPU's
 * results, runs on emulated GPUs ({@link EmulatedGpus}): the models here only mirror the CUDA
 * sources, and a wrong PTX passes over them. This fake stays for host code whose outcome does
 * not depend on the kernels' results (discovery, contexts, allocation and leaks, launch order,
 * refusals made before any launch), where it costs a fraction of the emulator's time (a
 * 66-iteration batch), and for what only it can stage: a driver call that blocks, deaf to
 * interrupts ({@link #holdAfterLaunchOf}); cuInit or cuDevicePrimaryCtxRetain failing with a
 * chosen code; no device; a refused PTX with a given JIT log; every launch of one kernel
 * faulting with a chosen sticky code ({@link #faulting}; the emulated driver injects an
 * illegal address at a launch number), and a count of the resets that follow
 * ({@link #resets}); an occupancy answer other than the geometry table's ({@link #occupancy});
 * the stream scheduler's order by seed ({@link #schedule}). The models' own tiling is tested
 * on its own (KernelModelsTest, DmmaModelTest, DmmaTilingTest).
 *
 * <p>A fault is sticky, as cuda.h says of CUDA_ERROR_ILLEGAL_ADDRESS and its kind: from then
 * on every call in that GPU's context fails with the same code, frees included, and its queued
 * work never runs, until {@link #resetPrimaryContext} (or the last release) destroys the
 * context; handles made before that are dead after it ({@link FakeContexts}). Unlike a real
 * driver, the last release of a healthy context keeps what it still held, so a test sees the
 * leak.
 */
final class FakeCudaDriver implements CudaDriver {
  private final List<DeviceProperties> gpus;
  private final int version;
  private final ThreadLocal<Context> current = new ThreadLocal<>();
  private final FakeStreams streams = new FakeStreams();
  private final FakeContexts contexts = new FakeContexts(streams::removeAll);
  final List<String> launchLog = java.util.Collections.synchronizedList(new ArrayList<>());

  int initFailure;
  /** A code cuDevicePrimaryCtxRetain fails with (such as DEVICE_UNAVAILABLE), or 0. */
  int retainFailure;
  /** Blocks per SM the occupancy query answers for these entries, whatever the table says. */
  final Map<String, Integer> occupancy = new HashMap<>();

  /** Kernel entries that fault, with the (sticky) code the next wait reports. */
  final Map<String, Integer> faulting = new ConcurrentHashMap<>();
  boolean refusePtx;
  /** The JIT error log of a refused PTX, as ptxas writes one (two lines, a tab). */
  String ptxLog = "ptxas application ptx input, line 8; fatal   : Unsupported .version 8.5;"
      + " current version is '8.4'\n\tptxas fatal   : Ptx assembly aborted due to errors\n";
  /**
   * The most dynamic shared memory a block may be allowed (cuFuncSetAttribute): H100's
   * 227 KiB unless a test sets a smaller GPU's, such as sm_86's 99 KiB.
   */
  int maxDynamicSharedBytes = 227 * 1024;
  /** What cuFuncSetAttribute allowed each function handle (absent: the 48 KiB default). */
  private final Map<Object, Integer> sharedAllowed = new IdentityHashMap<>();
  /** cuDevicePrimaryCtxReset calls. */
  final AtomicInteger resets = new AtomicInteger();
  private final FakeCallHold hold = new FakeCallHold();

  FakeCudaDriver(int version, List<DeviceProperties> gpus) {
    this.version = version;
    this.gpus = List.copyOf(gpus);
  }

  /** A fake GPU of compute capability 9.0 with this many SMs and this much memory. */
  static DeviceProperties gpu(int index, int sms, long memory) {
    return gpu(index, sms, memory, 9, 0);
  }

  /** A fake GPU of compute capability major.minor. */
  static DeviceProperties gpu(int index, int sms, long memory, int major, int minor) {
    byte[] uuid = new byte[16];
    for (int i = 0; i < 16; i++) {
      uuid[i] = (byte) (0x11 * (index + 1) + i);
    }
    return new DeviceProperties("Fake GPU " + index, uuid,
        String.format("0000:%02X:00.0", 0x18 + index), major, minor, sms, memory);
  }

  static CudaException error(String call, int code) {
    return new CudaException(call, code, "CUDA_ERROR_" + code);
  }

  private record Allocation(ByteBuffer bytes, int ordinal) {}

  private record FakeModule(List<String> entries, int ordinal) {}

  private record FakeFunction(FakeModule module) {}

  /** The current context's GPU, if that context is usable ({@link FakeContexts#check}). */
  private synchronized int requireCurrent(String call) throws CudaException {
    return contexts.check(call, current.get());
  }

  private synchronized <T> T live(String call, Object handle, Class<T> type, int staleCode)
      throws CudaException {
    return contexts.live(call, handle, type, staleCode);
  }

  private void giveBack(String call, Object handle, int ordinal, int staleCode)
      throws CudaException {
    hold.noteTeardown();
    contexts.giveBack(call, handle, ordinal, staleCode);
  }

  synchronized int retainCount(int ordinal) {
    return contexts.retainCount(ordinal);
  }

  /** What is still held: allocations, modules, streams, events, retained contexts. */
  synchronized String live() {
    return "allocations=" + contexts.count(Allocation.class) + " modules="
        + contexts.count(FakeModule.class) + " streams=" + contexts.count(FakeStream.class)
        + " events=" + contexts.count(FakeEvent.class) + " contexts="
        + contexts.retainedTotal();
  }

  /**
   * The first synchronize on a GPU after a launch of {@code entry} there blocks, inside the
   * call and deaf to interrupts (as a driver call is), until {@link FakeCallHold#release}.
   */
  FakeCallHold holdAfterLaunchOf(String entry) {
    hold.arm(entry);
    return hold;
  }

  @Override
  public void init() throws CudaException {
    if (initFailure != 0) {
      throw error("cuInit", initFailure);
    }
  }

  @Override
  public int driverVersion() {
    return version;
  }

  @Override
  public int deviceCount() {
    return gpus.size();
  }

  @Override
  public DeviceProperties properties(int ordinal) throws CudaException {
    if (ordinal < 0 || ordinal >= gpus.size()) {
      throw error("cuDeviceGet", CudaException.INVALID_DEVICE);
    }
    return gpus.get(ordinal);
  }

  @Override
  public synchronized Context retainContext(int ordinal) throws CudaException {
    properties(ordinal);
    if (retainFailure != 0) {
      throw error("cuDevicePrimaryCtxRetain", retainFailure);
    }
    return contexts.retain(ordinal);
  }

  @Override
  public synchronized void releaseContext(Context context) throws CudaException {
    hold.noteTeardown();
    contexts.release(context);
  }

  @Override
  public synchronized void resetPrimaryContext(int ordinal) throws CudaException {
    properties(ordinal);
    resets.incrementAndGet();
    contexts.destroy(ordinal);
  }

  @Override
  public void setCurrent(Context context) {
    current.set(context);
  }

  private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)");

  @Override
  public Module loadModule(String ptx) throws CudaException {
    int ordinal = requireCurrent("cuModuleLoadDataEx");
    if (refusePtx) {
      throw new CudaException("cuModuleLoadDataEx", CudaException.UNSUPPORTED_PTX_VERSION,
          "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", ptxLog);
    }
    List<String> entries = new ArrayList<>();
    Matcher m = ENTRY.matcher(ptx);
    while (m.find()) {
      entries.add(m.group(1));
    }
    FakeModule module = new FakeModule(entries, ordinal);
    synchronized (this) {
      contexts.hold(module, ordinal);
    }
    return new Module(module);
  }

  @Override
  public synchronized void unloadModule(Module module) throws CudaException {
    FakeModule m = (FakeModule) module.handle();
    giveBack("cuModuleUnload", m, m.ordinal(), CudaException.INVALID_HANDLE);
  }

  @Override
  public synchronized Function function(Module module, String name) throws CudaException {
    FakeModule m = live("cuModuleGetFunction", module.handle(), FakeModule.class,
        CudaException.INVALID_HANDLE);
    contexts.checkPoison("cuModuleGetFunction", m.ordinal());
    if (!m.entries().contains(name)) {
      throw error("cuModuleGetFunction", CudaException.NOT_FOUND);
    }
    return new Function(new FakeFunction(m), name); // a handle per module, as the driver's
  }

  @Override
  public synchronized void setMaxDynamicSharedBytes(Function function, int bytes)
      throws CudaException {
    requireCurrent("cuFuncSetAttribute");
    if (bytes > maxDynamicSharedBytes) {
      throw error("cuFuncSetAttribute", CudaException.INVALID_VALUE);
    }
    sharedAllowed.put(function.handle(), bytes);
  }

  /**
   * As a GPU of the current context's compute capability: a product kernel's monitored entry
   * holds what common's geometry table says, unless {@link #occupancy} names it (a driver
   * whose compiler allocated other registers); anything else 1 with over 48 KiB of dynamic
   * shared memory, else 2.
   */
  @Override
  public int maxActiveBlocksPerSm(Function function, int blockThreads, int dynamicSharedBytes)
      throws CudaException {
    DeviceProperties gpu = gpus.get(requireCurrent("cuOccupancyMaxActiveBlocksPerMultiprocessor"));
    Integer forced = occupancy.get(function.name());
    if (forced != null) {
      return forced;
    }
    var arch = SmArchitecture.find(gpu.ccMajor() + "." + gpu.ccMinor());
    var product = ProductGeometry.byEntry(function.name());
    if (arch.isPresent() && product.isPresent()) {
      return product.get().blocksPerSm(arch.get());
    }
    return dynamicSharedBytes > KernelGeometry.DEFAULT_MAX_DYNAMIC_SHARED_BYTES ? 1 : 2;
  }

  @Override
  public synchronized DevicePointer allocate(long bytes) throws CudaException {
    int ordinal = requireCurrent("cuMemAlloc");
    if (contexts.usedBytes(ordinal) + bytes > gpus.get(ordinal).totalMemoryBytes()) {
      throw error("cuMemAlloc", CudaException.OUT_OF_MEMORY);
    }
    contexts.addUsedBytes(ordinal, bytes);
    Allocation a = new Allocation(ByteBuffer.allocate(Math.toIntExact(bytes))
        .order(ByteOrder.LITTLE_ENDIAN), ordinal);
    contexts.hold(a, ordinal);
    return new DevicePointer(a, bytes);
  }

  @Override
  public synchronized void free(DevicePointer pointer) throws CudaException {
    Allocation a = (Allocation) pointer.allocation();
    giveBack("cuMemFree", a, a.ordinal(), CudaException.INVALID_VALUE);
    contexts.addUsedBytes(a.ordinal(), -(long) a.bytes().capacity());
  }

  private static ByteBuffer view(DevicePointer p) {
    ByteBuffer whole = ((Allocation) p.allocation()).bytes();
    return whole.duplicate().position(Math.toIntExact(p.offset())).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The scheduler's choices (FakeStreams); a test sets the seed to try other orders. */
  java.util.Random schedule = new java.util.Random(1);

  private synchronized void enqueue(String call, Stream stream, Runnable work)
      throws CudaException {
    live(call, stream.handle(), FakeStream.class, CudaException.INVALID_HANDLE).add(work);
  }

  /** Runs queued work until {@code target} (or, when null, every stream) is empty. */
  private synchronized void drain(FakeStream target) {
    streams.drain(target, contexts.poisoned(), schedule);
  }

  @Override
  public void zero(DevicePointer pointer, long bytes, Stream stream) throws CudaException {
    requireCurrent("cuMemsetD8Async");
    ByteBuffer b = view(pointer);
    enqueue("cuMemsetD8Async", stream, () -> {
      for (int i = 0; i < bytes; i++) {
        b.put(i, (byte) 0);
      }
    });
  }

  @Override
  public void copyOnDevice(DevicePointer dst, DevicePointer src, long bytes, Stream stream)
      throws CudaException {
    requireCurrent("cuMemcpyDtoDAsync");
    ByteBuffer to = view(dst);
    ByteBuffer from = view(src);
    enqueue("cuMemcpyDtoDAsync", stream, () -> {
      for (int i = 0; i < bytes; i++) {
        to.put(i, from.get(i));
      }
    });
  }

  /** Like cuMemcpyDtoH, waits for all work queued before it (blocking streams). */
  @Override
  public void copyToHost(byte[] dst, DevicePointer src) throws CudaException {
    int ordinal = requireCurrent("cuMemcpyDtoH");
    drain(null);
    synchronized (this) {
      contexts.checkPoison("cuMemcpyDtoH", ordinal);
    }
    view(src).get(0, dst);
  }

  @Override
  public synchronized Stream createStream() throws CudaException {
    int ordinal = requireCurrent("cuStreamCreate");
    FakeStream x = streams.create(ordinal);
    contexts.hold(x, ordinal);
    return new Stream(x);
  }

  @Override
  public synchronized void destroyStream(Stream stream) throws CudaException {
    FakeStream x = (FakeStream) stream.handle();
    giveBack("cuStreamDestroy", x, x.ordinal(), CudaException.INVALID_HANDLE);
    streams.remove(x);
  }

  @Override
  public void launch(Function function, Dim3 grid, Dim3 block, int dynamicSharedBytes,
      Stream stream, Object... args) throws CudaException {
    int ordinal = requireCurrent("cuLaunchKernel");
    live("cuLaunchKernel", ((FakeFunction) function.handle()).module(), FakeModule.class,
        CudaException.INVALID_HANDLE);
    // The kernel's body indexes as much dynamic shared memory as KernelGeometry says: less
    // would be a fault on a GPU. More than the 48 KiB default needs cuFuncSetAttribute first.
    KernelGeometry.Kernel kernel = KernelGeometry.Kernel.byEntry(function.name()).orElseThrow();
    if (dynamicSharedBytes != kernel.dynamicSharedBytes) {
      throw new IllegalArgumentException(function.name() + " takes " + kernel.dynamicSharedBytes
          + " bytes of dynamic shared memory, launched with " + dynamicSharedBytes);
    }
    synchronized (this) {
      int allowed = sharedAllowed.getOrDefault(function.handle(),
          KernelGeometry.DEFAULT_MAX_DYNAMIC_SHARED_BYTES);
      if (dynamicSharedBytes > allowed) {
        throw error("cuLaunchKernel", CudaException.INVALID_VALUE);
      }
      launchLog.add(ordinal + ":" + function.name());
      hold.launched(function.name(), ordinal);
      Integer code = faulting.get(function.name());
      if (code != null) {
        // A faulting kernel's launch succeeds; the fault shows at the next wait, and stays.
        int sticky = code;
        enqueue("cuLaunchKernel", stream, () -> contexts.poison(ordinal, sticky));
        return;
      }
    }
    Object[] modelArgs = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      modelArgs[i] = args[i] instanceof DevicePointer ? view((DevicePointer) args[i]) : args[i];
    }
    int sms = gpus.get(ordinal).smCount();
    enqueue("cuLaunchKernel", stream,
        () -> KernelModels.run(function.name(), grid, block, modelArgs, sms, System::nanoTime));
  }

  @Override
  public synchronized void waitEvent(Stream stream, Event event) throws CudaException {
    requireCurrent("cuStreamWaitEvent");
    FakeEvent e = live("cuStreamWaitEvent", event.handle(), FakeEvent.class,
        CudaException.INVALID_HANDLE);
    live("cuStreamWaitEvent", stream.handle(), FakeStream.class, CudaException.INVALID_HANDLE)
        .waitFor(e);
  }

  @Override
  public void synchronize(Stream stream) throws CudaException {
    int ordinal = requireCurrent("cuStreamSynchronize");
    FakeStream s = live("cuStreamSynchronize", stream.handle(), FakeStream.class,
        CudaException.INVALID_HANDLE);
    hold.holdIfArmed(ordinal, this);
    drain(s);
    synchronized (this) {
      contexts.checkPoison("cuStreamSynchronize", ordinal);
    }
  }

  @Override
  public synchronized Event createEvent() throws CudaException {
    int ordinal = requireCurrent("cuEventCreate");
    FakeEvent e = new FakeEvent(ordinal);
    contexts.hold(e, ordinal);
    return new Event(e);
  }

  @Override
  public synchronized void record(Event event, Stream stream) throws CudaException {
    requireCurrent("cuEventRecord");
    FakeEvent e = live("cuEventRecord", event.handle(), FakeEvent.class,
        CudaException.INVALID_HANDLE);
    live("cuEventRecord", stream.handle(), FakeStream.class, CudaException.INVALID_HANDLE)
        .record(e);
  }

  @Override
  public float elapsedMillis(Event start, Event end) throws CudaException {
    requireCurrent("cuEventElapsedTime");
    return (((FakeEvent) end.handle()).nanos() - ((FakeEvent) start.handle()).nanos()) / 1e6f;
  }

  @Override
  public synchronized void destroyEvent(Event event) throws CudaException {
    FakeEvent e = (FakeEvent) event.handle();
    giveBack("cuEventDestroy", e, e.ordinal(), CudaException.INVALID_HANDLE);
  }
}
