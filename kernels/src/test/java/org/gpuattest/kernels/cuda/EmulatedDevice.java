package org.gpuattest.kernels.cuda;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.kernels.cuda.CudaDriver.DeviceProperties;
import org.gpuattest.kernels.emu.DeviceMemory;
import org.gpuattest.kernels.emu.EmulatedGpu;

/**
 * One GPU of {@link EmulatedCudaDriver}: its global memory, its virtual clock (nanoseconds:
 * each launch starts at the clock and moves it to its end, and an event records the clock when
 * it completes, so kernel times come out of the emulated run), its streams, and the faults a
 * test asked for. Its monitor ({@code synchronized (device)}) serialises its work, one launch
 * at a time as on a GPU, while another GPU runs in another thread; the driver's own lock is
 * only ever taken inside it, never the other way round.
 */
final class EmulatedDevice {
  /** Bytes a memset writes per virtual nanosecond: about an H100's 3.35 TB/s. */
  private static final long MEMSET_BYTES_PER_NANO = 3350;

  final int ordinal;
  final DeviceProperties properties;
  final EmulatedGpu gpu;
  final SmArchitecture arch;
  final DeviceMemory memory;
  /** The virtual time, ns; read by events as they complete. */
  private long clockNanos;
  final FakeStreams streams = new FakeStreams(this::now);
  /** The scheduler's choices among ready streams (FakeStreams); a test may seed it. */
  Random schedule = new Random(1);
  /** Allocations live in the context, freed with it when it ends. */
  final Set<Object> allocations = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  /** Launches so far (the first is 1). */
  int launches;
  /** Launch numbers that fault as an illegal address, with what the fault says. */
  final Map<Integer, String> illegalAddressAt = new HashMap<>();

  EmulatedDevice(int ordinal, DeviceProperties properties, double clockGhz) {
    this.ordinal = ordinal;
    this.properties = properties;
    String cc = properties.ccMajor() + "." + properties.ccMinor();
    this.arch = SmArchitecture.find(cc).orElseThrow(() -> new IllegalArgumentException(
        "no architecture table for compute capability " + cc));
    this.gpu = new EmulatedGpu(properties.smCount(), arch, clockGhz);
    this.memory = new DeviceMemory(properties.totalMemoryBytes());
  }

  /** major * 10 + minor, as the PTX loader takes it. */
  int capability() {
    return arch.code();
  }

  long now() {
    return clockNanos;
  }

  /** The GPU's time moves on to {@code nanos} (never back). */
  void advanceTo(long nanos) {
    clockNanos = Math.max(clockNanos, nanos);
  }

  /** A memset's time at the GPU's memory bandwidth. */
  void advanceForMemset(long bytes) {
    clockNanos += (bytes + MEMSET_BYTES_PER_NANO - 1) / MEMSET_BYTES_PER_NANO;
  }

  /** The context ended (reset, or last release of a poisoned one): its work and memory go. */
  void contextEnded() {
    streams.removeAll(ordinal);
    for (Object a : allocations) {
      memory.free(((EmulatedCudaDriver.Allocation) a).address());
    }
    allocations.clear();
  }
}
