package org.gpuattest.kernels.cpu;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon worker threads that know their own index: the CPU backend's stand-in for %smid, so
 * its SM monitor counts which worker ran each block. One pool per thread count per JVM.
 */
final class WorkerPool {
  private static final ConcurrentHashMap<Integer, WorkerPool> POOLS = new ConcurrentHashMap<>();
  private static final ThreadLocal<Integer> INDEX = ThreadLocal.withInitial(() -> -1);

  private final ExecutorService executor;
  private final int size;

  private WorkerPool(int size) {
    this.size = size;
    AtomicInteger next = new AtomicInteger();
    ThreadFactory factory = r -> {
      int index = next.getAndIncrement();
      Thread t = new Thread(() -> {
        INDEX.set(index);
        r.run();
      }, "cpu-backend-worker-" + index);
      t.setDaemon(true);
      return t;
    };
    this.executor = Executors.newFixedThreadPool(size, factory);
  }

  static WorkerPool shared(int size) {
    return POOLS.computeIfAbsent(size, WorkerPool::new);
  }

  ExecutorService executor() {
    return executor;
  }

  int size() {
    return size;
  }

  /** The calling worker's index, or -1 off the pool. */
  static int currentIndex() {
    return INDEX.get();
  }
}
