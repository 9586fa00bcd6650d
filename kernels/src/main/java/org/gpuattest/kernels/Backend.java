package org.gpuattest.kernels;

import java.util.List;

/**
 * A source of devices that compute canonical-v1: the CPU backend, and the CUDA backend (JCuda).
 * The prover orchestrates devices only through this seam, so its barriers, timing and state
 * are tested with the CPU backend and with fakes, and the CUDA backend plugs in unchanged.
 */
public interface Backend {
  /** "cpu" or "cuda", as it appears in a commitment. */
  String name();

  /**
   * The devices this backend can use for a job of {@code wanted} devices. A physical backend
   * lists what it finds (which may be fewer); the CPU backend acts as exactly {@code wanted}.
   *
   * @throws BackendException when the backend cannot run here (no driver, no device)
   */
  List<Device> devices(int wanted) throws BackendException;

  /**
   * Refuses, before anything is allocated, a job that cannot fit: G devices at size n.
   *
   * @throws BackendException naming the memory needed and the memory there is
   */
  void checkFits(int devices, int n) throws BackendException;

  /**
   * As {@link #checkFits(int, int)} with {@code keptBytes} more on every device: the products
   * the memory phase keeps resident (docs/protocol.md §2.2), refused before the prover says
   * ready. The default adds nothing: the devices' {@link Device#keep} refuses what they cannot
   * hold.
   *
   * @throws BackendException naming the device, the memory needed and the memory there is
   */
  default void checkFits(int devices, int n, long keptBytes) throws BackendException {
    checkFits(devices, n);
  }

  /**
   * Throwaway devices for the prover's warm-up before the seed (docs/protocol.md §3.2): up to
   * {@code wanted} devices that run this backend's own code on the CPU as the prepared devices
   * will, on throwaway data, so that code's first run (class loading, the JIT) is not on the
   * validator's clock. The caller closes them. Empty (the default) where such devices are not
   * cheap to have, as on a GPU, whose only devices are the prepared ones.
   *
   * @throws BackendException when the backend cannot make them
   */
  default List<Device> warmUpDevices(int wanted) throws BackendException {
    return List.of();
  }

  /**
   * Whether the prover's warm-up runs a throwaway job on the prepared devices themselves
   * (docs/protocol.md §3.2): true where that costs little and is the only way to run this
   * backend's own host code, the driver's first calls and each kernel's first launch before
   * the seed, as on a GPU (milliseconds at the real n). The devices' {@link Device#prepare}
   * then starts the real job over: B(g), the SM monitor and the timers anew.
   */
  default boolean warmsPreparedDevices() {
    return false;
  }
}
