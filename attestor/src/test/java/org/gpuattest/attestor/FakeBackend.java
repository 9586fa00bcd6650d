package org.gpuattest.attestor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.IterationResult;

/**
 * A driver-free backend for orchestration tests: devices compute the reference product (so
 * commitments stay honest), can be told to fail at an iteration, and record when they ran.
 */
final class FakeBackend implements Backend {
  final int available;
  final int failDevice;
  final int failAtIteration;
  final long sleepMillis;
  final AtomicInteger prepared = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();

  FakeBackend(int available, int failDevice, int failAtIteration) {
    this(available, failDevice, failAtIteration, 0);
  }

  private FakeBackend(int available, int failDevice, int failAtIteration, long sleepMillis) {
    this.available = available;
    this.failDevice = failDevice;
    this.failAtIteration = failAtIteration;
    this.sleepMillis = sleepMillis;
  }

  static FakeBackend honest(int available) {
    return new FakeBackend(available, -1, -1);
  }

  /** Devices that take {@code millis} for each matrix, as a slow GPU or a large n would. */
  static FakeBackend slow(int available, long millis) {
    return new FakeBackend(available, -1, -1, millis);
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public void checkFits(int devices, int n) {}

  @Override
  public List<Device> devices(int wanted) {
    List<Device> out = new ArrayList<>();
    for (int i = 0; i < available; i++) {
      out.add(new FakeDevice(i));
    }
    return out;
  }

  final class FakeDevice implements Device {
    final int ordinal;
    PhiloxKey key;
    int g;
    int n;
    double[] b;

    FakeDevice(int ordinal) {
      this.ordinal = ordinal;
    }

    @Override
    public DeviceIdentity identity() {
      return new DeviceIdentity("Fake GPU", "FAKE-" + ordinal, "fake:" + ordinal, "0.0", 4,
          1L << 30, "fake 1.0");
    }

    @Override
    public void prepare(PhiloxKey key, int g, int n) {
      this.key = key;
      this.g = g;
      this.n = n;
      this.b = org.gpuattest.common.spec.Operands.matrixB(key, g, n);
      prepared.incrementAndGet();
    }

    @Override
    public IterationResult iterate(int t) throws BackendException {
      if (ordinal == failDevice && t == failAtIteration) {
        throw new BackendException("fake device " + ordinal + " failed at iteration " + t);
      }
      return new IterationResult(MerkleTree.root(rowLeaves(t)), 1_000);
    }

    @Override
    public byte[][] rowLeaves(int t) throws BackendException {
      if (sleepMillis > 0) {
        try {
          Thread.sleep(sleepMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BackendException("fake device " + ordinal + ": interrupted");
        }
      }
      return org.gpuattest.common.spec.RowHash.rowLeaves(Reference.matrix(key, g, t, n, b), n);
    }

    @Override
    public SmMonitor monitor() {
      return new SmMonitor(new long[] {1, 1, 1, 1}, 0.9);
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }
}
