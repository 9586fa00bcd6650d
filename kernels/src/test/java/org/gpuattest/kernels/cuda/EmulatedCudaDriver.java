package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUresult;
import org.gpuattest.kernels.cuda.FakeStreams.FakeEvent;
import org.gpuattest.kernels.cuda.FakeStreams.FakeStream;
import org.gpuattest.kernels.emu.KernelEntry;
import org.gpuattest.kernels.emu.KernelFault;
import org.gpuattest.kernels.emu.Launch;
import org.gpuattest.kernels.emu.LaunchResult;
import org.gpuattest.kernels.emu.OutOfDeviceMemoryException;
import org.gpuattest.kernels.emu.PtxLoadException;
import org.gpuattest.kernels.emu.PtxModule;

/**
 * A CUDA driver whose GPUs are emulated: modules are loaded by the PTX interpreter
 * ({@link PtxModule}, refusing what a driver refuses, with its log), launches are checked as
 * the driver checks them ({@link LaunchChecks}) and run by it ({@link Launch}, with the
 * sanitizer on) against each GPU's own {@link org.gpuattest.kernels.emu.DeviceMemory}, and
 * every time (kernels, events, %globaltimer) is the GPU's virtual clock ({@link
 * EmulatedDevice}). Contexts, handles and a kernel fault's sticky poison are
 * {@link FakeContexts}'; streams, events and cuStreamWaitEvent are {@link FakeStreams}', whose
 * scheduler runs queued work at a wait in an order the events allow. A fault keeps what the
 * sanitizer said, so every later error in that context shows it.
 *
 * <p>Thread-safe: each GPU's work runs under its own lock ({@link EmulatedDevice}), so two GPUs
 * driven from two threads run at once. For tests: {@link #injectIllegalAddress} and
 * {@link #corrupt}, and {@link #live} to see that nothing is left.
 */
public final class EmulatedCudaDriver implements CudaDriver {
  /** cuda.h: cuEventElapsedTime on an event whose record has not run yet. */
  static final int NOT_READY = 600;

  /**
   * The newest PTX ISA each CUDA driver loads (as major * 10 + minor), from NVIDIA's PTX ISA
   * document, "Release Notes": 7.0 came with CUDA 11.0, each 11.x adds 0.1 up to 7.8 with
   * 11.8; 8.0 with 12.0, up to 8.5 with 12.5 (12.6 adds none), 8.6 with 12.7, 8.7 with 12.8,
   * 8.8 with 12.9; 9.0 with 13.0, 9.1 with 13.1.
   */
  private static final NavigableMap<Integer, Integer> ISA_BY_DRIVER = new TreeMap<>(Map.ofEntries(
      Map.entry(11000, 70), Map.entry(11010, 71), Map.entry(11020, 72), Map.entry(11030, 73),
      Map.entry(11040, 74), Map.entry(11050, 75), Map.entry(11060, 76), Map.entry(11070, 77),
      Map.entry(11080, 78), Map.entry(12000, 80), Map.entry(12010, 81), Map.entry(12020, 82),
      Map.entry(12030, 83), Map.entry(12040, 84), Map.entry(12050, 85), Map.entry(12070, 86),
      Map.entry(12080, 87), Map.entry(12090, 88), Map.entry(13000, 90), Map.entry(13010, 91)));

  /** Decoded modules by text, ISA and GPU: a PTX is decoded once, whoever loads it. */
  private static final Map<List<Object>, PtxModule> DECODED = new ConcurrentHashMap<>();

  /** A live allocation: where it starts in its GPU's memory. */
  record Allocation(long address, long bytes, int ordinal) {}

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
    this.maxIsa = maxIsa(driverVersion);
    List<EmulatedDevice> list = new ArrayList<>();
    for (int i = 0; i < gpus.size(); i++) {
      list.add(new EmulatedDevice(i, gpus.get(i), 1.98));
    }
    this.gpus = List.copyOf(list);
    this.contexts = new FakeContexts(o -> this.gpus.get(o).contextEnded(),
        EmulatedCudaDriver::error);
  }

  /** The newest PTX ISA (major * 10 + minor) a driver of this version loads. */
  static int maxIsa(int driverVersion) {
    Map.Entry<Integer, Integer> e = ISA_BY_DRIVER.floorEntry(driverVersion);
    if (e == null) {
      throw new IllegalArgumentException("no PTX ISA table for driver " + driverVersion);
    }
    return e.getValue();
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
    return "allocations=" + contexts.count(Allocation.class) + " modules="
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
    EmulatedDevice d = gpu(ordinal);
    List<Object> key = List.of(ptx, maxIsa, d.capability());
    PtxModule decoded = DECODED.get(key);
    if (decoded == null) {
      try {
        decoded = PtxModule.load(ptx, maxIsa, d.capability());
      } catch (PtxLoadException e) {
        throw error("cuModuleLoadDataEx", e.code(), e.log());
      }
      DECODED.putIfAbsent(key, decoded);
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
    int ordinal = requireCurrent("cuMemAlloc");
    if (bytes <= 0) {
      throw error("cuMemAlloc", CudaException.INVALID_VALUE, "");
    }
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      Allocation a;
      try {
        a = new Allocation(d.memory.allocate(bytes), bytes, ordinal);
      } catch (OutOfDeviceMemoryException e) {
        throw error("cuMemAlloc", CudaException.OUT_OF_MEMORY, e.getMessage());
      }
      d.allocations.add(a);
      synchronized (this) {
        contexts.hold(a, ordinal);
      }
      return new DevicePointer(a, bytes);
    }
  }

  @Override
  public void free(DevicePointer pointer) throws CudaException {
    Allocation a = (Allocation) pointer.allocation();
    if (pointer.offset() != 0) {
      throw error("cuMemFree", CudaException.INVALID_VALUE, "not the start of an allocation");
    }
    EmulatedDevice d = gpu(a.ordinal());
    synchronized (d) {
      synchronized (this) {
        contexts.giveBack("cuMemFree", a, a.ordinal(), CudaException.INVALID_VALUE);
      }
      d.allocations.remove(a);
      d.memory.free(a.address());
    }
  }

  /** The address of {@code p}, which must be live on GPU {@code ordinal} with {@code bytes}. */
  private long address(String call, DevicePointer p, long bytes, int ordinal)
      throws CudaException {
    Allocation a = (Allocation) p.allocation();
    synchronized (this) {
      contexts.live(call, a, Allocation.class, CudaException.INVALID_VALUE);
    }
    if (a.ordinal() != ordinal || bytes < 0 || bytes > p.bytes()) {
      throw error(call, CudaException.INVALID_VALUE, bytes + " bytes at offset " + p.offset()
          + " of an allocation of " + a.bytes() + " on GPU " + a.ordinal());
    }
    return a.address() + p.offset();
  }

  private FakeStream liveStream(String call, Stream stream, int ordinal) throws CudaException {
    FakeStream s;
    synchronized (this) {
      s = contexts.live(call, stream.handle(), FakeStream.class, CudaException.INVALID_HANDLE);
    }
    if (s.ordinal() != ordinal) {
      throw error(call, CudaException.INVALID_HANDLE, "a stream of GPU " + s.ordinal());
    }
    return s;
  }

  @Override
  public void zero(DevicePointer pointer, long bytes, Stream stream) throws CudaException {
    String call = "cuMemsetD8Async";
    int ordinal = requireCurrent(call);
    long address = address(call, pointer, bytes, ordinal);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      liveStream(call, stream, ordinal).add(() -> {
        if (d.memory.segment(address, bytes) == null) {
          poison(ordinal, KernelFault.ILLEGAL_ADDRESS, String.format(
              "memset of %d bytes at 0x%x: not inside one live allocation", bytes, address));
          return;
        }
        d.memory.fill(address, bytes, (byte) 0);
        d.advanceForMemset(bytes);
      });
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
    long address = address(call, src, dst.length, ordinal);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      d.streams.drain(null, contexts.poisoned(), d.schedule);
      synchronized (this) {
        contexts.checkPoison(call, ordinal);
      }
      d.memory.read(address, dst);
    }
  }

  @Override
  public Stream createStream() throws CudaException {
    int ordinal = requireCurrent("cuStreamCreate");
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      FakeStream x = d.streams.create(ordinal);
      synchronized (this) {
        contexts.hold(x, ordinal);
      }
      return new Stream(x);
    }
  }

  /** As cuStreamDestroy: work already queued on the stream still runs. */
  @Override
  public void destroyStream(Stream stream) throws CudaException {
    FakeStream x = (FakeStream) stream.handle();
    EmulatedDevice d = gpu(x.ordinal());
    synchronized (d) {
      synchronized (this) {
        contexts.giveBack("cuStreamDestroy", x, x.ordinal(), CudaException.INVALID_HANDLE);
      }
      d.streams.drain(x, contexts.poisoned(), d.schedule);
      d.streams.remove(x);
    }
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
      values = LaunchChecks.arguments(f.entry, args, p -> {
        try {
          return address(call, p, 0, ordinal);
        } catch (CudaException e) { // the kernel would read memory it does not own
          dead.add(e.getMessage());
          return ((Allocation) p.allocation()).address() + p.offset();
        }
      });
    } catch (LaunchChecks.Refusal r) {
      throw error(call, r.code, r.getMessage());
    }
    KernelEntry entry = f.entry;
    boolean flip = corrupt.contains(entry.name());
    synchronized (d) {
      FakeStream s = liveStream(call, stream, ordinal);
      int number = ++d.launches;
      launchLog.add(ordinal + ":" + entry.name());
      String injected = d.illegalAddressAt.remove(number);
      if (injected == null && !dead.isEmpty()) {
        injected = entry.name() + " was given a pointer it cannot use: " + dead.get(0);
      }
      String fault = injected;
      s.add(() -> run(d, entry, grid, block, dynamicSharedBytes, values, fault, flip));
    }
  }

  /** One launch, when its stream gets to it: on the GPU's clock, or its fault poisons. */
  private void run(EmulatedDevice d, KernelEntry entry, Dim3 grid, Dim3 block, int shared,
      long[] args, String injected, boolean flip) {
    try {
      if (injected != null) {
        throw new KernelFault(KernelFault.ILLEGAL_ADDRESS, injected);
      }
      // The CTAs an SM holds are what the occupancy query answers (registers included), so
      // the SM monitor's busy fraction divides by what the schedule did.
      int resident = Math.max(1, LaunchChecks.blocksPerSm(entry, d.arch, (int) block.count(),
          shared));
      LaunchResult r = Launch.run(entry, grid, block, shared, args, d.memory, d.gpu, d.now(),
          resident, false);
      d.advanceTo(r.endNanos());
      if (flip) {
        byte[] b = new byte[1];
        d.memory.read(args[2] + 8, b);
        b[0] ^= 1; // one bit of C[0][1]
        d.memory.write(args[2] + 8, b);
      }
    } catch (KernelFault fault) {
      poison(d.ordinal, fault.code(), entry.name() + ": " + fault.getMessage());
    }
  }

  @Override
  public void waitEvent(Stream stream, Event event) throws CudaException {
    String call = "cuStreamWaitEvent";
    int ordinal = requireCurrent(call);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      FakeEvent e;
      synchronized (this) {
        e = contexts.live(call, event.handle(), FakeEvent.class, CudaException.INVALID_HANDLE);
      }
      liveStream(call, stream, ordinal).waitFor(e);
    }
  }

  @Override
  public void synchronize(Stream stream) throws CudaException {
    String call = "cuStreamSynchronize";
    int ordinal = requireCurrent(call);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      d.streams.drain(liveStream(call, stream, ordinal), contexts.poisoned(), d.schedule);
      synchronized (this) {
        contexts.checkPoison(call, ordinal);
      }
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
  public void record(Event event, Stream stream) throws CudaException {
    String call = "cuEventRecord";
    int ordinal = requireCurrent(call);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      FakeEvent e;
      synchronized (this) {
        e = contexts.live(call, event.handle(), FakeEvent.class, CudaException.INVALID_HANDLE);
      }
      if (e.ordinal() != ordinal) {
        throw error(call, CudaException.INVALID_HANDLE, "an event of GPU " + e.ordinal());
      }
      liveStream(call, stream, ordinal).record(e);
    }
  }

  /** From the events' virtual times; both must have completed, as cuEventElapsedTime wants. */
  @Override
  public float elapsedMillis(Event start, Event end) throws CudaException {
    String call = "cuEventElapsedTime";
    int ordinal = requireCurrent(call);
    EmulatedDevice d = gpu(ordinal);
    synchronized (d) {
      FakeEvent a;
      FakeEvent b;
      synchronized (this) {
        a = contexts.live(call, start.handle(), FakeEvent.class, CudaException.INVALID_HANDLE);
        b = contexts.live(call, end.handle(), FakeEvent.class, CudaException.INVALID_HANDLE);
      }
      if (!a.recorded() || !b.recorded()) {
        throw error(call, CudaException.INVALID_HANDLE, "an event never recorded");
      }
      if (!a.completed() || !b.completed()) {
        throw error(call, NOT_READY, "");
      }
      return (b.nanos() - a.nanos()) / 1e6f;
    }
  }

  @Override
  public synchronized void destroyEvent(Event event) throws CudaException {
    FakeEvent e = (FakeEvent) event.handle();
    contexts.giveBack("cuEventDestroy", e, e.ordinal(), CudaException.INVALID_HANDLE);
  }
}
