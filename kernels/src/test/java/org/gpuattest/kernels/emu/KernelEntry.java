package org.gpuattest.kernels.emu;

/** One .entry of a loaded module: its signature and limits, and its decoded body. */
public final class KernelEntry {
  private KernelEntry() {}

  public String name() {
    throw new UnsupportedOperationException();
  }

  /** Number of .param declarations. */
  public int paramCount() {
    throw new UnsupportedOperationException();
  }

  /** Size in bytes of parameter {@code i} (4 or 8). */
  public int paramSize(int i) {
    throw new UnsupportedOperationException();
  }

  /** Bytes of static .shared memory the body declares. */
  public int staticSharedBytes() {
    throw new UnsupportedOperationException();
  }

  /** Whether the body uses dynamic shared memory (an .extern .shared array). */
  public boolean usesDynamicShared() {
    throw new UnsupportedOperationException();
  }

  /** Threads a block may have: the product of .maxntid, else 1024. */
  public int maxThreadsPerBlock() {
    throw new UnsupportedOperationException();
  }
}
