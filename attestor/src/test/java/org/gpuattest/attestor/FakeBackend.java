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
 * commitments stay honest), can be told to fail at an iteration, or to get results wrong in
 * the ways {@link Fault} names, and record when they ran.
 */
final class FakeBackend implements Backend {
  final int available;
  final int failDevice;
  final int failAtIteration;
  final long sleepMillis;
  final Fault fault;
  final int faultyDevice;
  final int faultyRow;
  final AtomicInteger prepared = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();

  /** How a faulty device gets C(g, t) wrong, in every iteration. */
  enum Fault {
    NONE,
    /** One bit of one element of the row is flipped, in iterate and rowLeaves alike. */
    WRONG_ROW,
    /** iterate is right; rowLeaves has one bit of the row flipped (not deterministic). */
    UNSTABLE_ROW
  }

  FakeBackend(int available, int failDevice, int failAtIteration) {
    this(available, failDevice, failAtIteration, 0, Fault.NONE, -1, -1);
  }

  private FakeBackend(int available, int failDevice, int failAtIteration, long sleepMillis,
      Fault fault, int faultyDevice, int faultyRow) {
    this.available = available;
    this.failDevice = failDevice;
    this.failAtIteration = failAtIteration;
    this.sleepMillis = sleepMillis;
    this.fault = fault;
    this.faultyDevice = faultyDevice;
    this.faultyRow = faultyRow;
  }

  static FakeBackend honest(int available) {
    return new FakeBackend(available, -1, -1);
  }

  /** Devices that take {@code millis} for each matrix, as a slow GPU or a large n would. */
  static FakeBackend slow(int available, long millis) {
    return new FakeBackend(available, -1, -1, millis, Fault.NONE, -1, -1);
  }

  /** Device ordinal {@code device} gets row {@code row} of every C(g, t) wrong by {@code f}. */
  static FakeBackend faulty(int available, Fault f, int device, int row) {
    return new FakeBackend(available, -1, -1, 0, f, device, row);
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
      return new IterationResult(MerkleTree.root(leaves(t, fault == Fault.WRONG_ROW)), 1_000);
    }

    @Override
    public byte[][] rowLeaves(int t) throws BackendException {
      return leaves(t, fault != Fault.NONE);
    }

    private byte[][] leaves(int t, boolean faulty) throws BackendException {
      if (sleepMillis > 0) {
        try {
          Thread.sleep(sleepMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BackendException("fake device " + ordinal + ": interrupted");
        }
      }
      double[] c = Reference.matrix(key, g, t, n, b);
      if (faulty && ordinal == faultyDevice) {
        int e = faultyRow * n + 5;
        c[e] = Double.longBitsToDouble(Double.doubleToRawLongBits(c[e]) ^ 1L); // last bit
      }
      return org.gpuattest.common.spec.RowHash.rowLeaves(c, n);
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
