package org.gpuattest.attestor;

import java.util.Map;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.IterationResult;
import org.gpuattest.kernels.MemoryPassResult;

/**
 * A device of no backend, for {@link WarmUp}: it computes nothing. Its iterations return a
 * fixed root at once and its row leaves are those the warm-up gave it, so the prover's own code
 * around the devices ({@link DeviceRun}'s threads and barriers, {@link ResultCheck}'s
 * comparisons) can run at the challenge's sizes before the seed, where a GPU backend has no
 * throwaway devices to run it with.
 */
final class StandInDevice implements Device {
  private final DeviceIdentity identity;
  private final Map<Integer, byte[][]> leaves;
  private int kept = 1;

  /**
   * @param identity whose device this stands in for (named only if a check fails)
   * @param leaves the row leaves of C(g, t) by t, for the iterations a spot check reads
   */
  StandInDevice(DeviceIdentity identity, Map<Integer, byte[][]> leaves) {
    this.identity = identity;
    this.leaves = Map.copyOf(leaves);
  }

  @Override
  public DeviceIdentity identity() {
    return identity;
  }

  @Override
  public void prepare(PhiloxKey key, int g, int n) {}

  @Override
  public IterationResult iterate(int t) {
    return new IterationResult(new byte[32], 0);
  }

  /** A pass over {@code kept} stand-in products: fixed roots, at once. */
  @Override
  public MemoryPassResult memoryPass(PhiloxKey passKey) {
    byte[][] roots = new byte[kept][];
    for (int k = 0; k < kept; k++) {
      roots[k] = new byte[32];
    }
    return new MemoryPassResult(roots, new byte[32]);
  }

  @Override
  public void keep(int first, int count) {
    kept = count;
  }

  @Override
  public byte[][] rowLeaves(int t) {
    byte[][] l = leaves.get(t);
    if (l == null) {
      throw new IllegalStateException("no row leaves given for iteration " + t);
    }
    return l.clone();
  }

  @Override
  public SmMonitor monitor() {
    return new SmMonitor(new long[Math.max(1, identity.smCount())], 0.0);
  }

  @Override
  public void close() {}
}
