package org.gpuattest.attestor;

import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.IterationResult;

/**
 * A device that forwards the calls every device must answer to another; the rest keep {@link
 * Device}'s defaults (so a batch runs through this device's own {@link #iterate(int)}). Tests
 * override the one call they watch.
 */
abstract class ForwardingDevice implements Device {
  protected final Device inner;

  ForwardingDevice(Device inner) {
    this.inner = inner;
  }

  @Override
  public DeviceIdentity identity() {
    return inner.identity();
  }

  @Override
  public void prepare(PhiloxKey key, int g, int n) throws BackendException {
    inner.prepare(key, g, n);
  }

  @Override
  public IterationResult iterate(int t) throws BackendException {
    return inner.iterate(t);
  }

  @Override
  public byte[][] rowLeaves(int t) throws BackendException {
    return inner.rowLeaves(t);
  }

  @Override
  public SmMonitor monitor() {
    return inner.monitor();
  }

  @Override
  public void close() {
    inner.close();
  }
}
