package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUresult;
import org.gpuattest.kernels.cuda.FakeStreams.FakeEvent;
import org.gpuattest.kernels.cuda.FakeStreams.FakeStream;
import org.gpuattest.kernels.emu.KernelEntry;
import org.gpuattest.kernels.emu.PtxLoadException;
import org.gpuattest.kernels.emu.PtxModule;

/**
 * A CUDA driver whose GPUs are emulated: modules are decoded once by the PTX interpreter
 * ({@link DecodedModules}, refusing what a driver of this version refuses, with its log),
 * launches are checked as the driver checks them ({@link LaunchChecks}) and run by the
 * interpreter with the sanitizer on, each on its GPU's memory ({@link EmulatedAllocations}) and
 * virtual clock ({@link EmulatedDevice}: kernels, events and %globaltimer all read it).
 * Contexts, handles and a kernel fault's sticky poison are {@link FakeContexts}'; streams,
 * events and cuStreamWaitEvent are {@link FakeStreams}' ({@link EmulatedStreams}), whose
 * scheduler runs queued work at a wait in an order the events allow. A fault keeps what the
 * sanitizer said, so every later error in that context shows it.
 *
 * <p>Thread-safe: each GPU's work runs under its own lock ({@link EmulatedDevice}), so two GPUs
 * driven from two threads run at once. For tests: {@link #injectIllegalAddress} and
 * {@link #corrupt}, and {@link #live} to see that nothing is left.
 */
public final class EmulatedCudaDriver implements CudaDriver {
  private record EmuModule(PtxModule module, int ordinal, Map<String, EmuFunction> functions) {}

  /** A function handle: one per entry of a module, as cuModuleGetFunction gives. */
  private static final class EmuFunction {
    final EmuModule module;
    final KernelEntry entry;
    /** Dynamic shared memory its launches may have (cuFuncSetAttribute). */
    volatile int sharedLimit;

    EmuFunction(EmuModule module, KernelEntry entry) {
      this.module = module;
      this.entry = entry;
      this.sharedLimit = LaunchChecks.defaultLimit(entry);
    }
  }

  private final int version;
  private final int maxIsa;
  private final List<EmulatedDevice> gpus;
  private final ThreadLocal<Context> current = new ThreadLocal<>();
  private final FakeContexts contexts;
  private final EmulatedStreams streams;
  private final EmulatedAllocations memory;
  private final Set<String> corrupt = ConcurrentHashMap.newKeySet();
  private final List<String> launchLog = Collections.synchronizedList(new ArrayList<>());

  /**
   * @param driverVersion as cuDriverGetVersion says it (12060 for CUDA 12.6): the newest PTX
   *     ISA it loads follows from it
   * @param gpus each GPU's properties; its compute capability must be in common's
   *     SmArchitecture table
   */
  public EmulatedCudaDriver(int driverVersion, List<DeviceProperties> gpus) {
    this.version = driverVersion;
    this.maxIsa = DecodedModules.maxIsa(driverVersion);
    List<EmulatedDevice> list = new ArrayList<>();
    for (int i = 0; i < gpus.size(); i++) {
      list.add(new EmulatedDevice(i, gpus.get(i), 1.98));
    }
    this.gpus = List.copyOf(list);
    this.contexts = new FakeContexts(o -> this.gpus.get(o).contextEnded(),
        EmulatedCudaDriver::error);
    this.streams = new EmulatedStreams(this, contexts, this.gpus);
    this.memory = new EmulatedAllocations(this, contexts, this.gpus);
  }

  static CudaException error(String call, int code, String log) {
    return new CudaException(call, code, CUresult.stringFor(code), log);
  }

  // ---- for tests --------------------------------------------------------------------------

  /**
   * GPU {@code ordinal}'s launch number {@code launch} (the first launch there is 1) faults as
   * if its kernel had read an illegal address: CUDA_ERROR_ILLEGAL_ADDRESS at the next wait,
   * sticky in the context.
   */
  public void injectIllegalAddress(int ordinal, int launch) {
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      d.illegalAddressAt.put(launch, "injected fault: launch " + launch + " on GPU " + ordinal
          + " read an illegal address");
    }
  }

  /** Every later launch of {@code entry} flips one bit of its result (third argument, C[0][1]). */
  public void corrupt(String entry) {
    corrupt.add(entry);
  }

  /** Launches so far on GPU {@code ordinal}. */
  public int launches(int ordinal) {
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      return d.launches;
    }
  }

  /** Every launch so far, as "ordinal:entry", in the order they were queued. */
  public List<String> launchLog() {
    synchronized (launchLog) {
      return List.copyOf(launchLog);
    }
  }

  /** GPU {@code ordinal}'s virtual time, ns. */
  public long nowNanos(int ordinal) {
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      return d.now();
    }
  }

  /** What is still held: allocations, modules, streams, events, retained contexts. */
  public synchronized String live() {
    return "allocations=" + contexts.count(EmulatedAllocations.Allocation.class) + " modules="
        + contexts.count(EmuModule.class) + " streams=" + contexts.count(FakeStream.class)
        + " events=" + contexts.count(FakeEvent.class) + " contexts="
        + contexts.retainedTotal();
  }

  /** Bytes allocated on GPU {@code ordinal}'s memory. */
  public long usedBytes(int ordinal) {
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      return d.memory.usedBytes();
    }
  }

  // ---- the driver ---------------------------------------------------------------------------

  private synchronized int requireCurrent(String call) throws CudaException {
    return contexts.check(call, current.get());
  }

  private EmulatedDevice gpu(int ordinal) {
    return gpus.get(ordinal);
  }

  @Override
  public void init() {}

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
      throw error("cuDeviceGet", CudaException.INVALID_DEVICE, "");
    }
    return gpus.get(ordinal).properties;
  }

  @Override
  public synchronized Context retainContext(int ordinal) throws CudaException {
    properties(ordinal);
    return contexts.retain(ordinal);
  }

  @Override
  public void releaseContext(Context context) throws CudaException {
    if (context == null || context.ordinal() < 0 || context.ordinal() >= gpus.size()) {
      throw error("cuDevicePrimaryCtxRelease", CudaException.INVALID_CONTEXT, "");
    }
    synchronized (gpu(context.ordinal())) { // the last release may end the context
      synchronized (this) {
        contexts.release(context);
      }
    }
  }

  @Override
  public void resetPrimaryContext(int ordinal) throws CudaException {
    properties(ordinal);
    synchronized (gpu(ordinal)) {
      synchronized (this) {
        contexts.destroy(ordinal);
      }
    }
  }

  @Override
  public void setCurrent(Context context) {
    current.set(context);
  }

  @Override
  public Module loadModule(String ptx) throws CudaException {
    int ordinal = requireCurrent("cuModuleLoadDataEx");
    PtxModule decoded;
    try {
      decoded = DecodedModules.load(ptx, maxIsa, gpu(ordinal).capability());
    } catch (PtxLoadException e) {
      throw error("cuModuleLoadDataEx", e.code(), e.log());
    }
    EmuModule m = new EmuModule(decoded, ordinal, new ConcurrentHashMap<>());
    synchronized (this) {
      contexts.hold(m, ordinal);
    }
    return new Module(m);
  }

  @Override
  public synchronized void unloadModule(Module module) throws CudaException {
    EmuModule m = (EmuModule) module.handle();
    contexts.giveBack("cuModuleUnload", m, m.ordinal(), CudaException.INVALID_HANDLE);
  }

  @Override
  public synchronized Function function(Module module, String name) throws CudaException {
    EmuModule m = contexts.live("cuModuleGetFunction", module.handle(), EmuModule.class,
        CudaException.INVALID_HANDLE);
    contexts.checkPoison("cuModuleGetFunction", m.ordinal());
    KernelEntry entry = m.module().entry(name);
    if (entry == null) {
      throw error("cuModuleGetFunction", CudaException.NOT_FOUND, "");
    }
    return new Function(m.functions().computeIfAbsent(name, n -> new EmuFunction(m, entry)),
        name);
  }

  /** The function, if its module is live in the current context. */
  private EmuFunction liveFunction(String call, Function function, int ordinal)
      throws CudaException {
    EmuFunction f = (EmuFunction) function.handle();
    synchronized (this) {
      contexts.live(call, f.module, EmuModule.class, CudaException.INVALID_HANDLE);
    }
    if (f.module.ordinal() != ordinal) {
      throw error(call, CudaException.INVALID_HANDLE, "");
    }
    return f;
  }

  @Override
  public void setMaxDynamicSharedBytes(Function function, int bytes) throws CudaException {
    int ordinal = requireCurrent("cuFuncSetAttribute");
    EmuFunction f = liveFunction("cuFuncSetAttribute", function, ordinal);
    try {
      LaunchChecks.sharedLimit(f.entry, gpu(ordinal).arch, bytes);
    } catch (LaunchChecks.Refusal r) {
      throw error("cuFuncSetAttribute", r.code, r.getMessage());
    }
    f.sharedLimit = bytes;
  }

  @Override
  public int maxActiveBlocksPerSm(Function function, int blockThreads, int dynamicSharedBytes)
      throws CudaException {
    String call = "cuOccupancyMaxActiveBlocksPerMultiprocessor";
    int ordinal = requireCurrent(call);
    EmuFunction f = liveFunction(call, function, ordinal);
    return LaunchChecks.blocksPerSm(f.entry, gpu(ordinal).arch, blockThreads,
        dynamicSharedBytes);
  }

  @Override
  public DevicePointer allocate(long bytes) throws CudaException {
    return memory.allocate(requireCurrent("cuMemAlloc"), bytes);
  }

  @Override
  public void free(DevicePointer pointer) throws CudaException {
    memory.free(pointer);
  }

  @Override
  public void zero(DevicePointer pointer, long bytes, Stream stream) throws CudaException {
    String call = "cuMemsetD8Async";
    int ordinal = requireCurrent(call);
    long address = memory.address(call, pointer, bytes, ordinal);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      streams.live(call, stream, ordinal).add(() -> d.zero(address, bytes, this::poison));
    }
  }

  @Override
  public void copyOnDevice(DevicePointer dst, DevicePointer src, long bytes, Stream stream)
      throws CudaException {
    String call = "cuMemcpyDtoDAsync";
    int ordinal = requireCurrent(call);
    long to = memory.address(call, dst, bytes, ordinal);
    long from = memory.address(call, src, bytes, ordinal);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      streams.live(call, stream, ordinal).add(() -> d.copy(to, from, bytes, this::poison));
    }
  }

  private void poison(int ordinal, int code, String message) {
    synchronized (this) {
      contexts.poison(ordinal, code, message);
    }
  }

  /** Like cuMemcpyDtoH, waits for all work queued on the GPU before it (blocking streams). */
  @Override
  public void copyToHost(byte[] dst, DevicePointer src) throws CudaException {
    String call = "cuMemcpyDtoH";
    int ordinal = requireCurrent(call);
    long address = memory.address(call, src, dst.length, ordinal);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      streams.drain(call, ordinal, null);
      d.memory.read(address, dst);
    }
  }

  @Override
  public Stream createStream() throws CudaException {
    return streams.create(requireCurrent("cuStreamCreate"));
  }

  @Override
  public void destroyStream(Stream stream) throws CudaException {
    streams.destroy(stream);
  }

  @Override
  public void launch(Function function, Dim3 grid, Dim3 block, int dynamicSharedBytes,
      Stream stream, Object... args) throws CudaException {
    String call = "cuLaunchKernel";
    int ordinal = requireCurrent(call);
    EmuFunction f = liveFunction(call, function, ordinal);
    EmulatedDevice d = gpu(ordinal);
    List<String> dead = new ArrayList<>();
    long[] values;
    try {
      LaunchChecks.shape(f.entry, d.arch, grid, block, dynamicSharedBytes, f.sharedLimit);
      values = LaunchChecks.arguments(f.entry, args,
          p -> memory.launchAddress(p, ordinal, dead));
    } catch (LaunchChecks.Refusal r) {
      throw error(call, r.code, r.getMessage());
    }
    KernelEntry entry = f.entry;
    boolean flip = corrupt.contains(entry.name());
    synchronized (d) {
      FakeStream s = streams.live(call, stream, ordinal);
      int number = ++d.launches;
      launchLog.add(ordinal + ":" + entry.name());
      String injected = d.illegalAddressAt.remove(number);
      if (injected == null && !dead.isEmpty()) {
        injected = entry.name() + " was given a pointer it cannot use: " + dead.get(0);
      }
      String fault = injected;
      s.add(() -> d.run(entry, grid, block, dynamicSharedBytes, values, fault, flip,
          this::poison));
    }
  }

  @Override
  public void waitEvent(Stream stream, Event event) throws CudaException {
    streams.waitEvent(requireCurrent("cuStreamWaitEvent"), stream, event);
  }

  @Override
  public void synchronize(Stream stream) throws CudaException {
    String call = "cuStreamSynchronize";
    streams.drain(call, requireCurrent(call), stream);
  }

  @Override
  public Event createEvent() throws CudaException {
    return streams.createEvent(requireCurrent("cuEventCreate"));
  }

  @Override
  public void record(Event event, Stream stream) throws CudaException {
    streams.record(requireCurrent("cuEventRecord"), event, stream);
  }

  /** From the events' virtual times; both records must have run, as cuEventElapsedTime wants. */
  @Override
  public float elapsedMillis(Event start, Event end) throws CudaException {
    return streams.elapsedMillis(requireCurrent("cuEventElapsedTime"), start, end);
  }

  @Override
  public void destroyEvent(Event event) throws CudaException {
    streams.destroyEvent(event);
  }
}
