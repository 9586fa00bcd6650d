package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.common.gpu.SmArchitecture;

/**
 * A CUDA driver without a GPU, for testing everything above {@link CudaDriver}: it keeps device
 * memory in byte buffers, runs each launch through the kernels' Java models
 * ({@link KernelModels}) when a stream is waited for, in an order its events allow (see the
 * stream section), checks that a context is current where the
 * driver needs one, counts what is live (so a test sees any leak), and fails on request: no
 * device, a refused PTX, out of memory, a kernel fault found at the next synchronize.
 */
final class FakeCudaDriver implements CudaDriver {
  static final int INVALID_CONTEXT = 201;

  private final List<DeviceProperties> gpus;
  private final int version;
  private final ThreadLocal<Context> current = new ThreadLocal<>();
  private final Map<Integer, Integer> retained = new HashMap<>();
  private final Map<Integer, Long> usedBytes = new HashMap<>();
  private final Set<Object> liveAllocations = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private final AtomicInteger liveModules = new AtomicInteger();
  private final AtomicInteger liveStreams = new AtomicInteger();
  private final AtomicInteger liveEvents = new AtomicInteger();
  private final Map<Integer, AtomicInteger> launches = new HashMap<>();
  final List<String> launchLog = java.util.Collections.synchronizedList(new ArrayList<>());

  int initFailure;
  /** Blocks per SM the occupancy query answers for these entries, whatever the table says. */
  final Map<String, Integer> occupancy = new HashMap<>();

  /** Kernel entries whose result (their third argument, C) gets one bit flipped. */
  final Set<String> corrupt = java.util.concurrent.ConcurrentHashMap.newKeySet();
  boolean refusePtx;
  /**
   * The most dynamic shared memory a block may be allowed (cuFuncSetAttribute): H100's
   * 227 KiB unless a test sets a smaller GPU's, such as sm_86's 99 KiB.
   */
  int maxDynamicSharedBytes = 227 * 1024;
  /** What cuFuncSetAttribute allowed each function handle (absent: the 48 KiB default). */
  private final Map<Object, Integer> sharedAllowed = new IdentityHashMap<>();
  /** Launch number (1-based, per GPU) after which that GPU's next synchronize reports a fault. */
  final Map<Integer, Integer> faultAfterLaunch = new HashMap<>();
  private final Map<Integer, Boolean> faulted = new HashMap<>();

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

  private static CudaException error(String call, int code) {
    return new CudaException(call, code, "CUDA_ERROR_" + code);
  }

  private Context requireCurrent(String call) throws CudaException {
    Context c = current.get();
    if (c == null || retained.getOrDefault(c.ordinal(), 0) == 0) {
      throw error(call, INVALID_CONTEXT);
    }
    return c;
  }

  synchronized int retainCount(int ordinal) {
    return retained.getOrDefault(ordinal, 0);
  }

  /** What is still held: allocations, modules, streams, events, retained contexts. */
  synchronized String live() {
    int contexts = retained.values().stream().mapToInt(Integer::intValue).sum();
    return "allocations=" + liveAllocations.size() + " modules=" + liveModules.get()
        + " streams=" + liveStreams.get() + " events=" + liveEvents.get()
        + " contexts=" + contexts;
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
    retained.merge(ordinal, 1, Integer::sum);
    return new Context(new Object(), ordinal);
  }

  @Override
  public synchronized void releaseContext(Context context) throws CudaException {
    int n = retained.getOrDefault(context.ordinal(), 0);
    if (n == 0) {
      throw error("cuDevicePrimaryCtxRelease", INVALID_CONTEXT);
    }
    retained.put(context.ordinal(), n - 1);
  }

  @Override
  public void setCurrent(Context context) {
    current.set(context);
  }

  private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)");

  @Override
  public Module loadModule(String ptx) throws CudaException {
    requireCurrent("cuModuleLoadData");
    if (refusePtx) {
      throw error("cuModuleLoadData", CudaException.UNSUPPORTED_PTX_VERSION);
    }
    List<String> entries = new ArrayList<>();
    Matcher m = ENTRY.matcher(ptx);
    while (m.find()) {
      entries.add(m.group(1));
    }
    liveModules.incrementAndGet();
    return new Module(entries);
  }

  @Override
  public void unloadModule(Module module) {
    liveModules.decrementAndGet();
  }

  @Override
  @SuppressWarnings("unchecked")
  public Function function(Module module, String name) throws CudaException {
    if (!((List<String>) module.handle()).contains(name)) {
      throw error("cuModuleGetFunction", CudaException.NOT_FOUND);
    }
    return new Function(new Object(), name); // a handle per module, as the driver's
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
  public synchronized int maxActiveBlocksPerSm(Function function, int blockThreads,
      int dynamicSharedBytes) throws CudaException {
    DeviceProperties gpu = gpus.get(requireCurrent("cuOccupancyMaxActiveBlocksPerMultiprocessor")
        .ordinal());
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

  private record Allocation(ByteBuffer bytes, int ordinal) {}

  @Override
  public synchronized DevicePointer allocate(long bytes) throws CudaException {
    int ordinal = requireCurrent("cuMemAlloc").ordinal();
    long used = usedBytes.getOrDefault(ordinal, 0L);
    if (used + bytes > gpus.get(ordinal).totalMemoryBytes()) {
      throw error("cuMemAlloc", CudaException.OUT_OF_MEMORY);
    }
    usedBytes.put(ordinal, used + bytes);
    Allocation a = new Allocation(ByteBuffer.allocate(Math.toIntExact(bytes))
        .order(ByteOrder.LITTLE_ENDIAN), ordinal);
    liveAllocations.add(a);
    return new DevicePointer(a, bytes);
  }

  @Override
  public synchronized void free(DevicePointer pointer) throws CudaException {
    Allocation a = (Allocation) pointer.allocation();
    if (!liveAllocations.remove(a)) {
      throw error("cuMemFree", 1);
    }
    usedBytes.merge(a.ordinal(), -(long) a.bytes().capacity(), Long::sum);
  }

  private static ByteBuffer view(DevicePointer p) {
    ByteBuffer whole = ((Allocation) p.allocation()).bytes();
    return whole.duplicate().position(Math.toIntExact(p.offset())).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  // ---- Streams: each a queue of work, run only when someone waits on it -------------------
  //
  // A real GPU runs two streams' work in any order their events allow; so does this fake. Work
  // is queued per stream and run, at a synchronize or a copy, by a scheduler that picks at
  // random (from a seed) among the streams whose next item may run. A missing cuStreamWaitEvent
  // then shows as wrong bits under some seed, as it would on a GPU under some timing.

  /** One stream's queue; a wait item may run once its event's record has completed. */
  private static final class FakeStream {
    final java.util.ArrayDeque<Item> items = new java.util.ArrayDeque<>();
  }

  private record Item(Runnable work, FakeEvent waitFor, int generation) {
    boolean runnable() {
      return waitFor == null || waitFor.completed >= generation;
    }
  }

  /** An event: how many records were queued, how many have run, and when the last ran. */
  private static final class FakeEvent {
    int recorded;
    int completed;
    long nanos;
  }

  private final List<FakeStream> streams = new ArrayList<>();
  /** The scheduler's choices; a test sets the seed to try other orders. */
  java.util.Random schedule = new java.util.Random(1);

  private synchronized void enqueue(Stream stream, Item item) {
    ((FakeStream) stream.handle()).items.add(item);
  }

  /** Runs queued work until {@code target} (or, when null, every stream) is empty. */
  private synchronized void drain(FakeStream target) {
    while (target == null ? streams.stream().anyMatch(x -> !x.items.isEmpty())
        : !target.items.isEmpty()) {
      List<FakeStream> ready = new ArrayList<>();
      for (FakeStream x : streams) {
        if (!x.items.isEmpty() && x.items.peek().runnable()) {
          ready.add(x);
        }
      }
      if (ready.isEmpty()) {
        throw new IllegalStateException("the fake GPU's streams wait on each other forever");
      }
      ready.get(schedule.nextInt(ready.size())).items.poll().work().run();
    }
  }

  @Override
  public void zero(DevicePointer pointer, long bytes, Stream stream) throws CudaException {
    requireCurrent("cuMemsetD8Async");
    ByteBuffer b = view(pointer);
    enqueue(stream, new Item(() -> {
      for (int i = 0; i < bytes; i++) {
        b.put(i, (byte) 0);
      }
    }, null, 0));
  }

  /** Like cuMemcpyDtoH, waits for all work queued before it (blocking streams). */
  @Override
  public void copyToHost(byte[] dst, DevicePointer src) throws CudaException {
    requireCurrent("cuMemcpyDtoH");
    drain(null);
    view(src).get(0, dst);
  }

  @Override
  public synchronized Stream createStream() throws CudaException {
    requireCurrent("cuStreamCreate");
    liveStreams.incrementAndGet();
    FakeStream x = new FakeStream();
    streams.add(x);
    return new Stream(x);
  }

  @Override
  public synchronized void destroyStream(Stream stream) {
    liveStreams.decrementAndGet();
    streams.remove((FakeStream) stream.handle());
  }

  @Override
  public void launch(Function function, Dim3 grid, Dim3 block, int dynamicSharedBytes,
      Stream stream, Object... args) throws CudaException {
    int ordinal = requireCurrent("cuLaunchKernel").ordinal();
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
    }
    int count;
    synchronized (this) {
      count = launches.computeIfAbsent(ordinal, o -> new AtomicInteger()).incrementAndGet();
      Integer faultAt = faultAfterLaunch.get(ordinal);
      if (faultAt != null && count >= faultAt) {
        // A faulting kernel's launch succeeds; the fault shows at the next wait.
        enqueue(stream, new Item(() -> faulted.put(ordinal, true), null, 0));
        return;
      }
    }
    Object[] modelArgs = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      modelArgs[i] = args[i] instanceof DevicePointer ? view((DevicePointer) args[i]) : args[i];
    }
    launchLog.add(ordinal + ":" + function.name());
    int sms = gpus.get(ordinal).smCount();
    boolean flip = corrupt.contains(function.name());
    enqueue(stream, new Item(() -> {
      KernelModels.run(function.name(), grid, block, modelArgs, sms, System::nanoTime);
      if (flip) {
        ByteBuffer c = (ByteBuffer) modelArgs[2];
        c.put(8, (byte) (c.get(8) ^ 1)); // one bit of C[0][1]
      }
    }, null, 0));
  }

  @Override
  public synchronized void waitEvent(Stream stream, Event event) throws CudaException {
    requireCurrent("cuStreamWaitEvent");
    FakeEvent e = (FakeEvent) event.handle();
    enqueue(stream, new Item(() -> {}, e, e.recorded));
  }

  @Override
  public void synchronize(Stream stream) throws CudaException {
    int ordinal = requireCurrent("cuStreamSynchronize").ordinal();
    drain((FakeStream) stream.handle());
    synchronized (this) {
      if (faulted.getOrDefault(ordinal, false)) {
        throw error("cuStreamSynchronize", CudaException.LAUNCH_FAILED);
      }
    }
  }

  @Override
  public Event createEvent() throws CudaException {
    requireCurrent("cuEventCreate");
    liveEvents.incrementAndGet();
    return new Event(new FakeEvent());
  }

  @Override
  public synchronized void record(Event event, Stream stream) throws CudaException {
    requireCurrent("cuEventRecord");
    FakeEvent e = (FakeEvent) event.handle();
    int generation = ++e.recorded;
    enqueue(stream, new Item(() -> {
      e.nanos = System.nanoTime();
      e.completed = generation;
    }, null, 0));
  }

  @Override
  public float elapsedMillis(Event start, Event end) {
    return (((FakeEvent) end.handle()).nanos - ((FakeEvent) start.handle()).nanos) / 1e6f;
  }

  @Override
  public void destroyEvent(Event event) {
    liveEvents.decrementAndGet();
  }
}
