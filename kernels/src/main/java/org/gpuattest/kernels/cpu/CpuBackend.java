package org.gpuattest.kernels.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.util.Heap;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;

/**
 * The exact CPU backend: canonical-v1 with {@link Math#fma} on worker threads, acting as as
 * many devices as a challenge asks for. It says "cpu" in the commitment, and validators reject
 * it unless told to allow it: it is for tests, demos and reference, not for earning.
 */
public final class CpuBackend implements Backend {
  public static final String NAME = DeviceReport.CPU;
  private final int threads;

  /** @param threads worker threads shared by all virtual devices (the "SMs" of each) */
  public CpuBackend(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
  }

  public static CpuBackend withAvailableProcessors() {
    return new CpuBackend(Runtime.getRuntime().availableProcessors());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Device> devices(int wanted) throws BackendException {
    if (wanted < 1) {
      throw new IllegalArgumentException("wanted must be at least 1, got " + wanted);
    }
    WorkerPool pool = WorkerPool.shared(threads);
    List<Device> devices = new ArrayList<>(wanted);
    for (int g = 0; g < wanted; g++) {
      devices.add(new CpuDevice(g, pool));
    }
    return devices;
  }

  /** Fresh virtual devices on the same worker threads: the real devices' code exactly. */
  @Override
  public List<Device> warmUpDevices(int wanted) throws BackendException {
    return devices(wanted);
  }

  @Override
  public void checkFits(int devices, int n) throws BackendException {
    long need = bytesNeeded(devices, n) + (long) threads * CpuDevice.BLOCK_ROWS * n * 16L;
    Optional<String> refusal = Heap.shortfall(
        "cpu backend: " + Counts.count(devices, "device") + " at n=" + n + " need", need,
        "raise -Xmx, or ask for a smaller n");
    if (refusal.isPresent()) {
      throw new BackendException(refusal.get());
    }
  }

  /**
   * Refuses, before anything is allocated, kept products the heap cannot hold besides the job:
   * the memory phase's products live in this JVM's heap (docs/protocol.md §2.2). The refusal
   * names the first device that would not fit and the bytes.
   */
  @Override
  public void checkFits(int devices, int n, long keptBytes) throws BackendException {
    checkFits(devices, n);
    if (keptBytes <= 0) {
      return;
    }
    long job = bytesNeeded(devices, n) + (long) threads * CpuDevice.BLOCK_ROWS * n * 16L;
    long budget = Runtime.getRuntime().maxMemory() / 10 * 8;
    long room = Math.max(0, budget - job);
    int fitting = (int) Math.min(devices, room / keptBytes);
    if (fitting >= devices) {
      return;
    }
    Optional<String> refusal = Heap.shortfall(String.format(
        "cpu backend: device %d cannot keep its products for the memory phase (%.1f MiB each"
            + " device, n=%d): %s at n=%d keeping them need", fitting, keptBytes / 1048576.0, n,
        Counts.count(devices, "device"), n), job + devices * keptBytes,
        "raise -Xmx, ask for a smaller n, or run the validator with --no-memory");
    throw new BackendException(refusal.orElseThrow());
  }

  /**
   * Bytes the CPU backend holds for G devices at size n (A, B and C of n x n doubles each), so
   * the prover can refuse a size the heap cannot hold before it allocates anything.
   */
  public static long bytesNeeded(int devices, int n) {
    return (long) devices * 3L * n * n * Double.BYTES;
  }
}
