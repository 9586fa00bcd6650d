package org.gpuattest.kernels.emu;

import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * Runs one kernel launch on an emulated GPU: CTAs spread over its SMs as a hardware block
 * scheduler would, each CTA's warps interpreted with the sanitizer on.
 */
public final class Launch {
  private Launch() {}

  /**
   * Runs {@code entry} over {@code grid} x {@code block}.
   *
   * @param args each parameter's value in the entry's order: a 64-bit parameter (a pointer, a
   *     u64) whole, a 32-bit one in the low 32 bits
   * @param startNanos the GPU's virtual time when the launch starts
   * @param count whether to collect {@link LaunchCounts} (else the result's counts are null)
   * @throws KernelFault what the kernel did wrong, named as compute-sanitizer names it
   */
  public static LaunchResult run(KernelEntry entry, Dim3 grid, Dim3 block,
      int dynamicSharedBytes, long[] args, DeviceMemory memory, EmulatedGpu gpu,
      long startNanos, boolean count) throws KernelFault {
    throw new UnsupportedOperationException("the emulator core is being written");
  }
}
