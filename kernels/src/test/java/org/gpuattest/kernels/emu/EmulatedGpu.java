package org.gpuattest.kernels.emu;

import org.gpuattest.common.gpu.SmArchitecture;

/**
 * What the interpreter needs to know of the GPU it emulates: how many SMs it spreads CTAs
 * over, the architecture's per-SM and per-block limits (common's occupancy table), and the
 * clock that turns issued instructions into virtual nanoseconds (%globaltimer, kernel times).
 *
 * @param clockGhz SM clock; each of an SM's 4 schedulers issues one warp instruction a cycle
 */
public record EmulatedGpu(int smCount, SmArchitecture arch, double clockGhz) {
  public EmulatedGpu {
    if (smCount < 1 || clockGhz <= 0) {
      throw new IllegalArgumentException("smCount " + smCount + ", clock " + clockGhz);
    }
  }

  /** A GPU of compute capability {@code capability} ("9.0") at 1.98 GHz (H100 SXM's boost). */
  public static EmulatedGpu of(int smCount, String capability) {
    return new EmulatedGpu(smCount, SmArchitecture.find(capability).orElseThrow(), 1.98);
  }
}
