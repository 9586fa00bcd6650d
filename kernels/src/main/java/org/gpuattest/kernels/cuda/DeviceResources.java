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
 * What one device holds on its GPU: the retained primary context, the loaded PTX modules, a
 * stream, named buffers and timing events. {@link #close} gives all of it back in reverse
 * order, every call attempted even when one fails, so a failure part way through leaks
 * nothing; it can be called any number of times.
 */
final class DeviceResources {
  private final CudaDriver driver;
  private final int ordinal;
  private Context context;
  private Stream stream;
  private Stream hashStream;
  private final Map<String, Module> modules = new LinkedHashMap<>();
  private final Map<String, DevicePointer> buffers = new LinkedHashMap<>();
  private final List<Event> events = new ArrayList<>();

  DeviceResources(CudaDriver driver, int ordinal) {
    this.driver = driver;
    this.ordinal = ordinal;
  }

  /** Retains the context, makes it current and creates the two streams. */
  void open() throws CudaException {
    context = driver.retainContext(ordinal);
    driver.setCurrent(context);
    stream = driver.createStream();
    hashStream = driver.createStream();
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

  /** The stream of the row hashing and the tree, which overlap the next product. */
  Stream hashStream() {
    return hashStream;
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

  /** Frees everything; returns what failed (empty when all went back). */
  List<String> close() {
    List<String> problems = new ArrayList<>();
    if (context == null) {
      return problems;
    }
    attempt(problems, () -> driver.setCurrent(context));
    for (Stream s : new Stream[] {stream, hashStream}) {
      if (s != null) {
        attempt(problems, () -> driver.synchronize(s)); // nothing may still use a buffer
      }
    }
    for (Event e : events) {
      attempt(problems, () -> driver.destroyEvent(e));
    }
    events.clear();
    for (DevicePointer p : buffers.values()) {
      attempt(problems, () -> driver.free(p));
    }
    buffers.clear();
    for (Module m : modules.values()) {
      attempt(problems, () -> driver.unloadModule(m));
    }
    modules.clear();
    for (Stream s : new Stream[] {stream, hashStream}) {
      if (s != null) {
        attempt(problems, () -> driver.destroyStream(s));
      }
    }
    stream = null;
    hashStream = null;
    Context c = context;
    attempt(problems, () -> driver.releaseContext(c));
    context = null;
    return problems;
  }

  private interface Call {
    void run() throws CudaException;
  }

  private static void attempt(List<String> problems, Call call) {
    try {
      call.run();
    } catch (CudaException e) {
      problems.add(e.getMessage());
    }
  }
}
