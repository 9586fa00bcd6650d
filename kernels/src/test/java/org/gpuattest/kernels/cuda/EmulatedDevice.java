package org.gpuattest.kernels.cuda;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.kernels.cuda.CudaDriver.DeviceProperties;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.emu.DeviceMemory;
import org.gpuattest.kernels.emu.EmulatedGpu;
import org.gpuattest.kernels.emu.KernelEntry;
import org.gpuattest.kernels.emu.KernelFault;
import org.gpuattest.kernels.emu.Launch;
import org.gpuattest.kernels.emu.LaunchResult;

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
  final Set<EmulatedAllocations.Allocation> allocations =
      java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  /** Launches so far (the first is 1). */
  int launches;
  /** Launch numbers that fault as an illegal address, with what the fault says. */
  final Map<Integer, String> illegalAddressAt = new HashMap<>();

  /** What a fault does: the driver poisons the GPU's context with it (FakeContexts). */
  interface Faults {
    void poison(int ordinal, int code, String message);
  }

  EmulatedDevice(int ordinal, DeviceProperties properties, double clockGhz) {
    this.ordinal = ordinal;
    this.properties = properties;
    String cc = properties.ccMajor() + "." + properties.ccMinor();
    this.arch = SmArchitecture.find(cc).orElseThrow(() -> new IllegalArgumentException(
        "no architecture table for compute capability " + cc));
    this.gpu = new EmulatedGpu(properties.smCount(), arch, clockGhz);
    this.memory = new DeviceMemory(properties.totalMemoryBytes(), ordinal);
  }

  /** major * 10 + minor, as the PTX loader takes it. */
  int capability() {
    return arch.code();
  }

  long now() {
    return clockNanos;
  }

  /** The GPU's time moves on to {@code nanos} (never back). */
  private void advanceTo(long nanos) {
    clockNanos = Math.max(clockNanos, nanos);
  }

  /** A memset's time at the GPU's memory bandwidth. */
  private void advanceForMemset(long bytes) {
    clockNanos += (bytes + MEMSET_BYTES_PER_NANO - 1) / MEMSET_BYTES_PER_NANO;
  }

  /**
   * One launch, when its stream gets to it: it starts at the GPU's time and moves it to its
   * end; a fault (the sanitizer's, or {@code injected}'s) poisons the context instead. With
   * {@code flip}, one bit of its result (third argument, C[0][1]) is flipped after it ran.
   */
  void run(KernelEntry entry, Dim3 grid, Dim3 block, int shared, long[] args, String injected,
      boolean flip, Faults faults) {
    try {
      if (injected != null) {
        throw new KernelFault(KernelFault.ILLEGAL_ADDRESS, injected);
      }
      // The CTAs an SM holds are what the occupancy query answers (registers included), so
      // the SM monitor's busy fraction divides by what the schedule did.
      int resident = Math.max(1, LaunchChecks.blocksPerSm(entry, arch, (int) block.count(),
          shared));
      LaunchResult r = Launch.run(entry, grid, block, shared, args, memory, gpu, clockNanos,
          resident, false);
      advanceTo(r.endNanos());
      if (flip) {
        byte[] b = new byte[1];
        memory.read(args[2] + 8, b);
        b[0] ^= 1;
        memory.write(args[2] + 8, b);
      }
    } catch (KernelFault fault) {
      faults.poison(ordinal, fault.code(), entry.name() + ": " + fault.getMessage());
    }
  }

  /** A memset, when its stream gets to it; into memory freed since, a fault. */
  void zero(long address, long bytes, Faults faults) {
    if (memory.segment(address, bytes) == null) {
      faults.poison(ordinal, KernelFault.ILLEGAL_ADDRESS, String.format(
          "memset of %d bytes at 0x%x: not inside one live allocation", bytes, address));
      return;
    }
    memory.fill(address, bytes, (byte) 0);
    advanceForMemset(bytes);
  }

  /** cuMemcpyDtoD: bytes read and written at the memory bandwidth of a memset, each way. */
  void copy(long dst, long src, long bytes, Faults faults) {
    if (memory.segment(dst, bytes) == null || memory.segment(src, bytes) == null
        || bytes > Integer.MAX_VALUE) {
      faults.poison(ordinal, KernelFault.ILLEGAL_ADDRESS, String.format(
          "copy of %d bytes from 0x%x to 0x%x: not inside live allocations", bytes, src, dst));
      return;
    }
    byte[] b = new byte[(int) bytes];
    memory.read(src, b);
    memory.write(dst, b);
    advanceForMemset(2 * bytes);
  }

  /** The context ended (reset, or last release of a poisoned one): its work and memory go. */
  void contextEnded() {
    streams.removeAll(ordinal);
    for (EmulatedAllocations.Allocation a : allocations) {
      memory.free(a.address());
    }
    allocations.clear();
  }
}
