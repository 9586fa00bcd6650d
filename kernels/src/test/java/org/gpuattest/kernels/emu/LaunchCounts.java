package org.gpuattest.kernels.emu;

/**
 * A launch's dynamic instruction counts by class, for the whole kernel and per CTA: the raw
 * material of a performance model, and a cheap view of what a kernel change costs.
 */
public final class LaunchCounts {
  private LaunchCounts() {}
}
