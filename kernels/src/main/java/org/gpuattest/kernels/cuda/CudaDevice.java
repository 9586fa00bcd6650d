package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.IterationResult;
import org.gpuattest.kernels.MemoryPassResult;
import org.gpuattest.kernels.cuda.CudaDriver.Event;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;

/**
 * One GPU running canonical-v1 as device g (docs/protocol.md §2): B(g) is generated once on the
 * GPU; each iteration fills A(g, t), multiplies with the monitored kernel ({@link
 * ProductSelection} says which), hashes every row and reduces the rows to r(g, t), the products
 * on one stream and the hashing of up to {@link KernelGeometry#inFlight} iterations at once on
 * streams of their own ({@link PipelinedLoop}), so only the 32-byte roots come back. A batch of
 * iterations is queued at once and waited for once, so host overhead is per batch, not per
 * iteration. Every resource is freed by {@link #close}, also after a failure part way.
 */
final class CudaDevice implements Device {
  /** Iterations queued before one wait: the roots buffer has this many 32-byte slots. */
  static final int BATCH = KernelGeometry.BATCH;

  private final CudaDriver driver;
  private final int ordinal;
  private final DeviceIdentity identity;
  private final Consumer<String> warnings;
  private final DeviceResources res;
  /** The loaded kernels, and the context's recovery from a probe's fault. */
  private final DeviceKernels kernels;
  private final PhaseTimes times = new PhaseTimes();
  /** The prove loop's batches, several iterations in flight. */
  private final PipelinedLoop loop;
  /** The product kernel this device runs, its occupancy and why (ProductChoice, GridFill). */
  private final ProductSelection selection;
  private PhiloxKey key;
  private int g;
  private int n;
  /** The n that {@link #allocate} holds buffers for; 0 when nothing is held. */
  private int allocatedFor;
  /** Iterations in flight at that n: C buffers, leaves/scratch pairs, hashing streams. */
  private int slots;
  /** The memory phase's kept products and pass (docs/protocol.md §2.2), after keep. */
  private CudaMemory memory;

  CudaDevice(CudaDriver driver, int ordinal, DeviceIdentity identity, Consumer<String> warnings,
      ProductChoice choice) {
    this.driver = driver;
    this.ordinal = ordinal;
    this.identity = identity;
    this.warnings = warnings;
    this.res = new DeviceResources(driver, ordinal);
    this.kernels = new DeviceKernels(driver, ordinal, identity.computeCapability(), res, choice);
    this.selection = new ProductSelection(driver, ordinal, identity, warnings, choice, kernels);
    this.loop = new PipelinedLoop(this, driver, res, times);
  }

  @Override
  public DeviceIdentity identity() {
    return identity;
  }

  int ordinal() {
    return ordinal;
  }

  /**
   * Retains the context, loads the modules, allocates every buffer and creates the events for
   * size n: all of a job but B(g), so the attest conversation can do it before the seed
   * exists (docs/protocol.md §3.2). A second call with the same n keeps what is there.
   */
  @Override
  public void allocate(int n) throws BackendException {
    if (res.isOpen() && allocatedFor == n && res.holds("A")) {
      return; // (a context reset, after another device's probe faulted, takes the buffers)
    }
    close();
    try {
      kernels.open();
      selection.choose(n);
      long matrix = (long) n * n * Double.BYTES;
      res.allocate("A", matrix);
      res.allocate("B", matrix);
      int k = KernelGeometry.inFlight(n);
      for (int i = 0; i < k; i++) { // slot i: C, leaves and scratch of iterations s = i mod k
        res.allocate("C" + i, matrix);
        res.allocate("leaves" + i, (long) n * 32);
        res.allocate("scratch" + i, 2L * ((n + 1) / 2) * 32);
      }
      res.hashStreams(k);
      slots = k;
      res.allocate("roots", (long) BATCH * 32);
      res.allocate("smBlocks", (long) KernelGeometry.MONITOR_SLOTS * Long.BYTES);
      res.allocate("smBusy", (long) KernelGeometry.MONITOR_SLOTS * Long.BYTES);
      res.events(PipelinedLoop.EVENTS);
      allocatedFor = n;
    } catch (CudaException e) {
      close();
      throw failure("allocating for n=" + n, e);
    } catch (BackendException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Takes one allocation for the kept products, which {@link #iterate} then writes there
   * instead of a C buffer, and the memory pass's buffers (docs/protocol.md §2.2; {@link
   * CudaMemory}): before the seed, so a GPU that cannot hold them says so before ready.
   */
  @Override
  public void keep(int first, int count) throws BackendException {
    memory = CudaMemory.open(this, driver, res, allocatedFor, first, count);
  }

  @Override
  public MemoryPassResult memoryPass(PhiloxKey passKey) throws BackendException {
    requirePrepared();
    return memory.pass(passKey);
  }

  /** For 'attestor bench': the memory pass's and a device-to-device copy's times. */
  CudaMemory.Timing memoryBench(int passes) throws BackendException {
    requirePrepared();
    return memory.bench(passes);
  }

  @Override
  public double[] memoryProduct(int t, PhiloxKey passKey) throws BackendException {
    requirePrepared();
    if (memory == null) {
      memory = CudaMemory.open(this, driver, res, n, -1, 1); // an opening's: nothing kept
    }
    return memory.product(t, g, passKey);
  }

  /**
   * For 'attestor bench': every product kernel this device may run at the n it was allocated
   * for, the one {@link #product} chose first.
   */
  List<ProductKernel> benchable() throws BackendException {
    requirePrepared();
    try {
      driver.setCurrent(res.context());
      List<ProductKernel> all = new ArrayList<>(selection.usable(n, true));
      if (!res.holds("A")) { // a probe's fault reset the context, and the buffers went with it
        PhiloxKey k = key;
        prepare(k, g, n);
      }
      all.remove(selection.product());
      all.add(0, selection.product());
      return all;
    } catch (CudaException e) {
      throw failure("probing the product kernels", e);
    }
  }

  /** For 'attestor bench': runs {@code k}, one of {@link #benchable}, from now on. */
  void benchWith(ProductKernel k) throws BackendException {
    if (!benchable().contains(k)) {
      throw new IllegalArgumentException(k + " cannot run here at n=" + n);
    }
    try {
      selection.use(k);
    } catch (CudaException e) {
      throw failure("switching to " + k.monitored.entry, e);
    }
  }

  /** The product kernel chosen at allocate. */
  ProductKernel product() {
    return selection.product();
  }

  /** The kernel allocate chose and why, for the commitment (docs/protocol.md §4.2). */
  @Override
  public Optional<KernelChoice> kernel() {
    return Optional.ofNullable(selection.kernel());
  }

  @Override
  public void prepare(PhiloxKey key, int g, int n) throws BackendException {
    allocate(n);
    this.key = key;
    this.g = g;
    this.n = n;
    times.reset();
    try {
      driver.setCurrent(res.context());
      driver.zero(res.buffer("smBlocks"), KernelGeometry.MONITOR_SLOTS * (long) Long.BYTES,
          res.stream());
      driver.zero(res.buffer("smBusy"), KernelGeometry.MONITOR_SLOTS * (long) Long.BYTES,
          res.stream());
      fill(res.buffer("B"), 0, g, 1, res.stream());
      driver.synchronize(res.stream());
    } catch (CudaException e) {
      close();
      throw failure("preparing B(" + g + ") at n=" + n, e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public IterationResult iterate(int t) throws BackendException {
    return iterate(t, 1).get(0);
  }

  @Override
  public List<IterationResult> iterate(int first, int count) throws BackendException {
    requirePrepared();
    List<IterationResult> out = new ArrayList<>(count);
    for (int done = 0; done < count; done += BATCH) {
      int from = first + done;
      int size = Math.min(BATCH, count - done);
      try {
        out.addAll(loop.batch(from, size, g, n, slots, memory));
      } catch (CudaException e) {
        throw failure("iterations " + from + ".." + (from + size - 1), e);
      }
    }
    return out;
  }

  @Override
  public byte[][] rowLeaves(int t) throws BackendException {
    requirePrepared();
    try {
      driver.setCurrent(res.context());
      fill(res.buffer("A"), t, g, 0, res.stream());
      multiply(res.buffer("C0"), res.stream());
      hashRows(res.buffer("C0"), res.buffer("leaves0"), res.stream());
      driver.synchronize(res.stream());
      byte[] all = new byte[32 * n];
      driver.copyToHost(all, res.buffer("leaves0"));
      byte[][] leaves = new byte[n][];
      for (int i = 0; i < n; i++) {
        leaves[i] = java.util.Arrays.copyOfRange(all, 32 * i, 32 * i + 32);
      }
      return leaves;
    } catch (CudaException e) {
      throw failure("recomputing C(" + g + "," + t + ")", e);
    }
  }

  /** Philox4x32-10 into an n x n matrix with counter (e >> 1, c1, c2, c3) (§2.2). */
  void fill(DevicePointer out, int c1, int c2, int c3, CudaDriver.Stream stream)
      throws CudaException {
    launch(Kernel.PHILOX_FILL, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), stream,
        out, (long) n * n / 2, key.k0(), key.k1(), c1, c2, c3);
  }

  void multiply(DevicePointer c, CudaDriver.Stream stream) throws CudaException {
    ProductKernel product = selection.product();
    launch(product.monitored, product.grid(n), product.block(), stream, res.buffer("A"),
        res.buffer("B"), c, n, res.buffer("smBlocks"), res.buffer("smBusy"));
  }

  void hashRows(DevicePointer c, DevicePointer leaves, CudaDriver.Stream stream)
      throws CudaException {
    launch(Kernel.ROW_HASH, KernelGeometry.rowHashGrid(n), KernelGeometry.rowHashBlock(),
        stream, c, n, leaves);
  }

  void launch(Kernel k, CudaDriver.Dim3 grid, CudaDriver.Dim3 block,
      CudaDriver.Stream stream, Object... args) throws CudaException {
    driver.launch(kernels.function(k), grid, block, k.dynamicSharedBytes, stream, args);
  }

  @Override
  public SmMonitor monitor() {
    if (!res.isOpen()) {
      return new SmMonitor(new long[identity.smCount()], 0.0);
    }
    try {
      driver.setCurrent(res.context());
      return SmReadout.read(driver, res.buffer("smBlocks"), res.buffer("smBusy"),
          identity.smCount(), selection.blocksPerSm(), times.matmulNanos());
    } catch (CudaException e) {
      warnings.accept(failure("reading the SM monitor", e).getMessage());
      return new SmMonitor(new long[identity.smCount()], 0.0);
    }
  }

  /**
   * Fill, product and hashing time of every iteration since prepare, and the loop's as a
   * whole, from the GPU's events.
   */
  PhaseTimes times() {
    return times;
  }

  /** What 'attestor bench' times alone ({@link #aloneMillis}). */
  enum Phase { FILL, PRODUCT, PRODUCT_UNMONITORED, ROW_HASH, TREE }

  /**
   * For 'attestor bench': mean milliseconds of {@code phase} launched {@code repetitions}
   * times back to back on the product's stream after one warm-up launch, nothing else queued,
   * so every phase (the monitored and the unmonitored product alike) is timed under the same
   * conditions; on slot 0's buffers.
   */
  double aloneMillis(Phase phase, int repetitions) throws BackendException {
    requirePrepared();
    Event[] marks = res.eventArray();
    CudaDriver.Stream s = res.stream();
    try {
      driver.setCurrent(res.context());
      for (int r = -1; r < repetitions; r++) {
        if (r == 0) {
          driver.record(marks[0], s);
        }
        ProductKernel p = selection.product();
        switch (phase) {
          case FILL -> fill(res.buffer("A"), 0, g, 0, s);
          case PRODUCT -> multiply(res.buffer("C0"), s);
          case PRODUCT_UNMONITORED -> launch(p.unmonitored, p.grid(n), p.block(), s,
              res.buffer("A"), res.buffer("B"), res.buffer("C0"), n);
          case ROW_HASH -> hashRows(res.buffer("C0"), res.buffer("leaves0"), s);
          case TREE -> launch(Kernel.TREE, KernelGeometry.treeGrid(),
              KernelGeometry.treeBlock(), s, res.buffer("leaves0"), res.buffer("scratch0"), n,
              res.buffer("roots"));
        }
      }
      driver.record(marks[1], s);
      driver.synchronize(s);
      return driver.elapsedMillis(marks[0], marks[1]) / (double) repetitions;
    } catch (CudaException e) {
      throw failure("timing " + phase + " alone", e);
    }
  }

  /** cuBLAS DGEMM timed on this device's A, B and C (their contents do not matter). */
  CublasDgemm.Outcome cublas(int repetitions) throws BackendException {
    requirePrepared();
    try {
      driver.setCurrent(res.context());
    } catch (CudaException e) {
      throw failure("timing cuBLAS", e);
    }
    return CublasDgemm.time(res.buffer("A"), res.buffer("B"), res.buffer("C0"), n, repetitions,
        driver, res.stream());
  }

  /** Blocks of the product kernel one SM holds at once (the monitor's busy fraction uses it). */
  int blocksPerSm() {
    return selection.blocksPerSm();
  }

  private void requirePrepared() {
    if (!res.isOpen() || key == null) {
      throw new IllegalStateException("prepare was not called");
    }
  }

  BackendException failure(String doing, CudaException e) {
    String what = e.getMessage();
    if (e.code() == CudaException.OUT_OF_MEMORY) {
      what = "out of device memory (" + e.getMessage() + "); ask for a smaller n or fewer"
          + " devices on this GPU";
    } else if (e.code() == CudaException.UNSUPPORTED_PTX_VERSION) {
      what = "the NVIDIA driver (" + identity.driverVersion() + ") is too old for the PTX"
          + ptxIsa() + " (" + e.getMessage() + "); update the driver";
    } else if (e.remedy().isPresent()) {
      what = e.remedy().get() + " (" + e.getMessage() + ")";
    }
    return new BackendException("cuda device " + ordinal + " (" + identity.name() + ", "
        + identity.uuid() + "): " + doing + ": " + what, e);
  }

  private static String ptxIsa() {
    try {
      return PtxLibrary.isaVersion(PtxLibrary.text(Kernel.MATMUL.ptxFile))
          .map(v -> ", which declares ISA " + v).orElse("");
    } catch (BackendException e) {
      return "";
    }
  }

  @Override
  public void close() {
    kernels.clear();
    memory = null;
    allocatedFor = 0;
    key = null;
    for (String problem : res.close()) {
      warnings.accept("cuda device " + ordinal + ": while freeing: " + problem);
    }
  }
}
