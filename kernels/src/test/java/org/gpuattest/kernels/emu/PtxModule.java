package org.gpuattest.kernels.emu;

import java.util.List;

/** A PTX module loaded as a driver loads one: parsed and decoded once, its entries runnable. */
public final class PtxModule {
  private PtxModule() {}

  /**
   * Loads PTX text.
   *
   * @param maxIsa the newest PTX ISA the emulated driver takes, as major * 10 + minor (85 for
   *     8.5, CUDA 12.6's)
   * @param capability the GPU's compute capability, major * 10 + minor (90 for sm_90)
   * @throws PtxLoadException as a driver refuses: an unknown directive or instruction (naming
   *     its line), too new a .version, a .target above the GPU
   */
  public static PtxModule load(String ptx, int maxIsa, int capability) throws PtxLoadException {
    throw new UnsupportedOperationException("the emulator core is being written");
  }

  /** The module's .entry names, in order. */
  public List<String> entryNames() {
    throw new UnsupportedOperationException();
  }

  /** The entry of that name, or null. */
  public KernelEntry entry(String name) {
    throw new UnsupportedOperationException();
  }
}
