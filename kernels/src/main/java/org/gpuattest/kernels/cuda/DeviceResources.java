package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cuda.CudaDriver.Context;
import org.gpuattest.kernels.cuda.CudaDriver.Event;
import org.gpuattest.kernels.cuda.CudaDriver.Module;
import org.gpuattest.kernels.cuda.CudaDriver.Stream;

/**
 * What one device holds on its GPU: the retained primary context, the loaded PTX modules, the
 * product's stream and the hashing streams, named buffers and timing events. {@link #close} gives all of it back in reverse
 * order, every call attempted even when one fails, so a failure part way through leaks
 * nothing; it can be called any number of times.
 */
final class DeviceResources {
  private final CudaDriver driver;
  private final int ordinal;
  private Context context;
  private Stream stream;
  /** One per iteration in flight: their hashings overlap each other and the products. */
  private final List<Stream> hashStreams = new ArrayList<>();
  private final Map<String, Module> modules = new LinkedHashMap<>();
  private final Map<String, DevicePointer> buffers = new LinkedHashMap<>();
  private final List<Event> events = new ArrayList<>();

  DeviceResources(CudaDriver driver, int ordinal) {
    this.driver = driver;
    this.ordinal = ordinal;
  }

  /** Retains the context, makes it current and creates the product's stream. */
  void open() throws CudaException {
    context = driver.retainContext(ordinal);
    driver.setCurrent(context);
    stream = driver.createStream();
  }

  boolean isOpen() {
    return stream != null;
  }

  Context context() {
    return context;
  }

  /** The stream of the fill and the product. */
  Stream stream() {
    return stream;
  }

  /** Creates hashing streams until there are {@code count}. */
  void hashStreams(int count) throws CudaException {
    while (hashStreams.size() < count) {
      hashStreams.add(driver.createStream());
    }
  }

  /**
   * Hashing stream {@code i} (of those {@link #hashStreams(int)} made): the row hashing and
   * tree of the iterations in buffer slot i, which overlap the products that follow.
   */
  Stream hashStream(int i) {
    return hashStreams.get(i);
  }

  /** The module of one ptx/ file, loaded on first use. */
  Module module(String ptxFile) throws CudaException, BackendException {
    Module m = modules.get(ptxFile);
    if (m == null) {
      m = driver.loadModule(PtxLibrary.text(ptxFile));
      modules.put(ptxFile, m);
    }
    return m;
  }

  void allocate(String name, long bytes) throws CudaException {
    if (buffers.containsKey(name)) {
      throw new IllegalStateException(name + " is already allocated");
    }
    buffers.put(name, driver.allocate(bytes));
  }

  /** Whether buffer {@code name} is held (a context reset takes every buffer with it). */
  boolean holds(String name) {
    return buffers.containsKey(name);
  }

  DevicePointer buffer(String name) {
    DevicePointer p = buffers.get(name);
    if (p == null) {
      throw new IllegalStateException(name + " is not allocated");
    }
    return p;
  }

  void events(int count) throws CudaException {
    while (events.size() < count) {
      events.add(driver.createEvent());
    }
  }

  Event[] eventArray() {
    return events.toArray(new Event[0]);
  }

  /**
   * After the GPU's primary context was reset ({@link CudaDriver#resetPrimaryContext}): every
   * module, stream, buffer and event went with it, so they are forgotten, not freed (a freed
   * address may already be another holder's); the context is released, which the driver allows
   * after a reset, and then retained and opened anew.
   */
  void reopenAfterReset() throws CudaException {
    forget();
    Context c = context;
    context = null;
    if (c != null) {
      driver.releaseContext(c);
    }
    open();
  }

  private void forget() {
    events.clear();
    buffers.clear();
    modules.clear();
    stream = null;
    hashStreams.clear();
  }

  /**
   * Frees everything; returns what failed (empty when all went back). Once a call says the
   * context is gone or poisoned by a kernel's fault ({@link CudaException#contextLost}), every
   * later one would fail alike: the rest goes back with the context, and only its release is
   * still attempted, so one problem is reported rather than one per buffer and event.
   */
  List<String> close() {
    List<String> problems = new ArrayList<>();
    if (context == null) {
      return problems;
    }
    CudaException[] lost = new CudaException[1];
    attempt(problems, lost, () -> driver.setCurrent(context));
    for (Stream s : streams()) {
      attempt(problems, lost, () -> driver.synchronize(s)); // nothing may still use a buffer
    }
    for (Event e : events) {
      attempt(problems, lost, () -> driver.destroyEvent(e));
    }
    for (DevicePointer p : buffers.values()) {
      attempt(problems, lost, () -> driver.free(p));
    }
    for (Module m : modules.values()) {
      attempt(problems, lost, () -> driver.unloadModule(m));
    }
    for (Stream s : streams()) {
      attempt(problems, lost, () -> driver.destroyStream(s));
    }
    forget();
    Context c = context;
    attempt(problems, new CudaException[1], () -> driver.releaseContext(c));
    context = null;
    return problems;
  }

  /** The product's stream and the hashing streams, those that exist. */
  private List<Stream> streams() {
    List<Stream> all = new ArrayList<>();
    if (stream != null) {
      all.add(stream);
    }
    all.addAll(hashStreams);
    return all;
  }

  private interface Call {
    void run() throws CudaException;
  }

  /** Runs {@code call} unless the context was found lost ({@code lost[0]}); notes a failure. */
  private static void attempt(List<String> problems, CudaException[] lost, Call call) {
    if (lost[0] != null) {
      return;
    }
    try {
      call.run();
    } catch (CudaException e) {
      if (e.contextLost()) {
        lost[0] = e;
        problems.add(e.getMessage() + "; the context is unusable: what it held goes back with"
            + " it");
      } else {
        problems.add(e.getMessage());
      }
    }
  }
}
