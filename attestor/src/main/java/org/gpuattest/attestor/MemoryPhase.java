package org.gpuattest.attestor;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.MemoryPassResult;

/**
 * Runs the memory phase (docs/protocol.md §2.2) on all G devices at once, one thread each: on
 * device g, pass p takes v_p from the memory seed and the root of pass p - 1 (R(g) for the
 * first), has the device stream its kept products through it ({@link Device#memoryPass}) and
 * makes m_p(g) from the vector roots. The passes of one device follow each other by
 * construction: v_p needs m_{p-1}(g). A failing device stops the others at their next pass; an
 * interrupt of the calling thread (the validator went away) stops every device and returns
 * once their threads have left them, as {@link DeviceRun} does.
 */
final class MemoryPhase {
  /** One device's passes: m_p(g) by pass, and s_p(g, t) by pass, then kept iteration. */
  record Outcome(byte[][] memoryRoots, byte[][][] vectorRoots) {}

  private MemoryPhase() {}

  /** "memory pass code CLASS": a device class's memory pass, a piece of work on the clock. */
  static String code(Device d) {
    return "memory pass code " + d.getClass().getName();
  }

  /**
   * @param deviceRoots R(g) of each device, from the commitment: the first pass's chain link
   */
  static List<Outcome> runAll(List<Device> devices, byte[] memorySeed, byte[][] deviceRoots,
      int passes) throws BackendException {
    ClockedWork.ran(ClockedWork.MEMORY_RUN);
    devices.forEach(d -> ClockedWork.ran(code(d)));
    AtomicBoolean failed = new AtomicBoolean();
    return DeviceThreads.named("memory", "interrupted during the memory passes; stopped them",
            (d, e) -> new BackendException("device " + d + ": the memory pass failed: " + e, e))
        .stopOthers(() -> failed.set(true))
        .stoppedBy(e -> e instanceof StoppedException)
        .runAll(devices.size(), d -> runOne(devices.get(d), d, memorySeed, deviceRoots[d],
            passes, failed));
  }

  /** Another device failed or the caller was interrupted: this one stops at its next pass. */
  private static final class StoppedException extends Exception {
    StoppedException() {
      super("stopped", null, false, false);
    }
  }

  private static Outcome runOne(Device device, int g, byte[] seed, byte[] deviceRoot,
      int passes, AtomicBoolean failed)
      throws BackendException, StoppedException {
    byte[][] memoryRoots = new byte[passes][];
    byte[][][] vectorRoots = new byte[passes][][];
    byte[] previous = deviceRoot;
    for (int p = 0; p < passes; p++) {
      if (failed.get() || Thread.currentThread().isInterrupted()) {
        throw new StoppedException();
      }
      MemoryPassResult pass = device.memoryPass(MemoryPass.key(seed, g, p, previous));
      vectorRoots[p] = pass.vectorRoots();
      memoryRoots[p] = pass.memoryRoot();
      previous = memoryRoots[p];
    }
    return new Outcome(memoryRoots, vectorRoots);
  }
}
