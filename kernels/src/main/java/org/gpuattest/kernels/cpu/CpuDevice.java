package org.gpuattest.kernels.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.cpu.PackedPanel;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.IterationResult;

/**
 * One virtual CPU device. Each iteration is cut into blocks of {@link #BLOCK_ROWS} rows, as a
 * GPU grid is cut into thread blocks; a block generates its rows of A(g, t), multiplies them
 * with the shared B(g) by {@link CanonicalProduct} and hashes them. Each block notes which
 * worker ran it and for how long: the SM monitor of canonical-v1's GPU kernels, on a CPU.
 */
final class CpuDevice implements Device {
  static final int BLOCK_ROWS = 64;

  private final int ordinal;
  private final WorkerPool pool;
  private final AtomicLongArray blocksPerWorker;
  private final AtomicLongArray busyNanosPerWorker;
  private long wallNanos;
  private PhiloxKey key;
  private int g;
  private int n;
  /** B(g), packed once for the CPU kernel and shared by every block of every iteration. */
  private PackedPanel b;

  CpuDevice(int ordinal, WorkerPool pool) {
    this.ordinal = ordinal;
    this.pool = pool;
    this.blocksPerWorker = new AtomicLongArray(pool.size());
    this.busyNanosPerWorker = new AtomicLongArray(pool.size());
  }

  @Override
  public DeviceIdentity identity() {
    return CpuIdentity.of(ordinal, pool.size());
  }

  @Override
  public void prepare(PhiloxKey key, int g, int n) {
    this.key = key;
    this.g = g;
    this.n = n;
    this.b = CanonicalProduct.pack(Operands.matrixB(key, g, n), n);
  }

  @Override
  public IterationResult iterate(int t) throws BackendException {
    long start = System.nanoTime();
    byte[][] leaves = compute(t);
    long elapsed = System.nanoTime() - start;
    wallNanos += elapsed;
    return new IterationResult(MerkleTree.root(leaves), elapsed);
  }

  @Override
  public byte[][] rowLeaves(int t) throws BackendException {
    return compute(t);
  }

  private byte[][] compute(int t) throws BackendException {
    if (b == null) {
      throw new IllegalStateException("prepare was not called");
    }
    byte[][] leaves = new byte[n][];
    List<Future<?>> blocks = new ArrayList<>();
    for (int row0 = 0; row0 < n; row0 += BLOCK_ROWS) {
      int first = row0;
      int rows = Math.min(BLOCK_ROWS, n - row0);
      blocks.add(pool.executor().submit(() -> block(t, first, rows, leaves)));
    }
    try {
      for (Future<?> f : blocks) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("cpu device " + ordinal + ": interrupted");
    } catch (ExecutionException e) {
      throw new BackendException("cpu device " + ordinal + ": " + e.getCause(), e.getCause());
    }
    return leaves;
  }

  private void block(int t, int first, int rows, byte[][] leaves) {
    long start = System.nanoTime();
    double[] a = new double[rows * n];
    for (int r = 0; r < rows; r++) {
      Operands.rowA(key, g, t, n, first + r, a, r * n);
    }
    double[] c = new double[rows * n];
    CanonicalProduct.multiply(a, 0, rows, b, c, 0);
    var md = Bytes.sha256();
    byte[] scratch = new byte[8 * n];
    for (int r = 0; r < rows; r++) {
      leaves[first + r] = RowHash.leaf(md, scratch, c, r * n, n);
    }
    int worker = Math.max(0, WorkerPool.currentIndex());
    blocksPerWorker.incrementAndGet(worker);
    busyNanosPerWorker.addAndGet(worker, System.nanoTime() - start);
  }

  @Override
  public SmMonitor monitor() {
    long[] blocks = new long[blocksPerWorker.length()];
    long busy = 0;
    for (int w = 0; w < blocks.length; w++) {
      blocks[w] = blocksPerWorker.get(w);
      busy += busyNanosPerWorker.get(w);
    }
    double capacity = (double) wallNanos * blocks.length;
    double fraction = capacity <= 0 ? 0.0 : Math.min(1.0, busy / capacity);
    return new SmMonitor(blocks, fraction);
  }

  @Override
  public void close() {
    b = null;
  }
}
