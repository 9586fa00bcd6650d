package org.gpuattest.kernels.cuda;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.gpuattest.kernels.cuda.CudaDriver.Context;

/**
 * The primary contexts of {@link FakeCudaDriver}'s GPUs: how often each is retained, which
 * generation it is in (a reset, or the last release of a poisoned one, ends one, and every
 * handle made in it dies), the sticky code of a kernel's fault that poisoned it, and what it
 * holds (allocations, modules, streams, events) and how many bytes. Not thread-safe: the
 * driver calls it under its own lock; only {@link #poisoned} may be read without it.
 */
final class FakeContexts {
  private record Generation(int number) {}

  /** How a driver words its errors: the call, the CUresult, and what it says more ("" if nothing). */
  interface Errors {
    CudaException error(String call, int code, String log);
  }

  private final Map<Integer, Integer> retained = new HashMap<>();
  private final Map<Integer, Integer> generation = new HashMap<>();
  /** Concurrent: a driver's scheduler reads it outside the driver's lock ({@link #poisoned}). */
  private final Map<Integer, Integer> poisoned = new ConcurrentHashMap<>();
  /** What each poisoning fault said (its finding), kept for every later call's error. */
  private final Map<Integer, String> poisonMessage = new HashMap<>();
  private final Map<Object, Integer> held = new IdentityHashMap<>();
  private final Map<Integer, Long> usedBytes = new HashMap<>();
  /** What else ends with a GPU's context (its streams' queues). */
  private final IntConsumer ended;
  private final Errors errors;

  FakeContexts(IntConsumer ended) {
    this(ended, (call, code, log) -> FakeCudaDriver.error(call, code));
  }

  FakeContexts(IntConsumer ended, Errors errors) {
    this.ended = ended;
    this.errors = errors;
  }

  Context retain(int ordinal) {
    retained.merge(ordinal, 1, Integer::sum);
    return new Context(new Generation(generation.getOrDefault(ordinal, 0)), ordinal);
  }

  /** Works in a poisoned context too; its last release destroys it (and the poison). */
  void release(Context context) throws CudaException {
    int n = retained.getOrDefault(context.ordinal(), 0);
    if (n == 0) {
      throw errors.error("cuDevicePrimaryCtxRelease", CudaException.INVALID_CONTEXT, "");
    }
    retained.put(context.ordinal(), n - 1);
    if (n == 1 && poisoned.containsKey(context.ordinal())) {
      destroy(context.ordinal());
    }
  }

  /** Ends a GPU's context: everything in it is gone, and so is a fault's poison. */
  void destroy(int ordinal) {
    held.values().removeIf(o -> o == ordinal);
    usedBytes.remove(ordinal);
    poisoned.remove(ordinal);
    poisonMessage.remove(ordinal);
    generation.merge(ordinal, 1, Integer::sum);
    ended.accept(ordinal);
  }

  int retainCount(int ordinal) {
    return retained.getOrDefault(ordinal, 0);
  }

  int retainedTotal() {
    return retained.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The GPU of {@code c}, if it is retained, of the current generation and not poisoned. */
  int check(String call, Context c) throws CudaException {
    if (c == null || retainCount(c.ordinal()) == 0
        || ((Generation) c.handle()).number() != generation.getOrDefault(c.ordinal(), 0)) {
      throw errors.error(call, CudaException.INVALID_CONTEXT, "");
    }
    checkPoison(call, c.ordinal());
    return c.ordinal();
  }

  void checkPoison(String call, int ordinal) throws CudaException {
    Integer code = poisoned.get(ordinal);
    if (code != null) {
      throw errors.error(call, code, poisonMessage.getOrDefault(ordinal, ""));
    }
  }

  /** A kernel's fault: from now on every call in the GPU's context fails with {@code code}. */
  void poison(int ordinal, int code) {
    poison(ordinal, code, "");
  }

  /** As {@link #poison(int, int)}, every later error also saying {@code message}. */
  void poison(int ordinal, int code, String message) {
    if (poisoned.putIfAbsent(ordinal, code) == null) {
      poisonMessage.put(ordinal, message);
    }
  }

  Set<Integer> poisoned() {
    return poisoned.keySet();
  }

  void hold(Object resource, int ordinal) {
    held.put(resource, ordinal);
  }

  /** A handle's object, if the context that made it still holds it. */
  <T> T live(String call, Object handle, Class<T> type, int staleCode) throws CudaException {
    if (!held.containsKey(handle)) {
      throw errors.error(call, staleCode, "");
    }
    return type.cast(handle);
  }

  /** Gives back a held object: fails as a poisoned context does, or for a dead handle. */
  void giveBack(String call, Object handle, int ordinal, int staleCode) throws CudaException {
    checkPoison(call, ordinal);
    if (held.remove(handle) == null) {
      throw errors.error(call, staleCode, "");
    }
  }

  long count(Class<?> type) {
    return held.keySet().stream().filter(type::isInstance).count();
  }

  long usedBytes(int ordinal) {
    return usedBytes.getOrDefault(ordinal, 0L);
  }

  void addUsedBytes(int ordinal, long bytes) {
    usedBytes.merge(ordinal, bytes, Long::sum);
  }
}
