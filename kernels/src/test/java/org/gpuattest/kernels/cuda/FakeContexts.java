package org.gpuattest.kernels.cuda;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.gpuattest.kernels.cuda.CudaDriver.Context;

/**
 * The primary contexts of {@link FakeCudaDriver}'s GPUs: how often each is retained, which
 * generation it is in (a reset, or the last release of a poisoned one, ends one, and every
 * handle made in it dies), the sticky code of a kernel's fault that poisoned it, and what it
 * holds (allocations, modules, streams, events) and how many bytes. Not thread-safe: the
 * driver calls it under its own lock.
 */
final class FakeContexts {
  private record Generation(int number) {}

  private final Map<Integer, Integer> retained = new HashMap<>();
  private final Map<Integer, Integer> generation = new HashMap<>();
  private final Map<Integer, Integer> poisoned = new HashMap<>();
  private final Map<Object, Integer> held = new IdentityHashMap<>();
  private final Map<Integer, Long> usedBytes = new HashMap<>();
  /** What else ends with a GPU's context (its streams' queues). */
  private final IntConsumer ended;

  FakeContexts(IntConsumer ended) {
    this.ended = ended;
  }

  Context retain(int ordinal) {
    retained.merge(ordinal, 1, Integer::sum);
    return new Context(new Generation(generation.getOrDefault(ordinal, 0)), ordinal);
  }

  /** Works in a poisoned context too; its last release destroys it (and the poison). */
  void release(Context context) throws CudaException {
    int n = retained.getOrDefault(context.ordinal(), 0);
    if (n == 0) {
      throw FakeCudaDriver.error("cuDevicePrimaryCtxRelease", CudaException.INVALID_CONTEXT);
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
      throw FakeCudaDriver.error(call, CudaException.INVALID_CONTEXT);
    }
    checkPoison(call, c.ordinal());
    return c.ordinal();
  }

  void checkPoison(String call, int ordinal) throws CudaException {
    Integer code = poisoned.get(ordinal);
    if (code != null) {
      throw FakeCudaDriver.error(call, code);
    }
  }

  /** A kernel's fault: from now on every call in the GPU's context fails with {@code code}. */
  void poison(int ordinal, int code) {
    poisoned.putIfAbsent(ordinal, code);
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
      throw FakeCudaDriver.error(call, staleCode);
    }
    return type.cast(handle);
  }

  /** Gives back a held object: fails as a poisoned context does, or for a dead handle. */
  void giveBack(String call, Object handle, int ordinal, int staleCode) throws CudaException {
    checkPoison(call, ordinal);
    if (held.remove(handle) == null) {
      throw FakeCudaDriver.error(call, staleCode);
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
