package org.gpuattest.kernels.emu;

/** An allocation the emulated GPU's memory cannot hold (cuMemAlloc: out of memory). */
public final class OutOfDeviceMemoryException extends Exception {
  public OutOfDeviceMemoryException(long asked, long free) {
    super("cannot allocate " + asked + " bytes: " + free + " bytes free");
  }
}
