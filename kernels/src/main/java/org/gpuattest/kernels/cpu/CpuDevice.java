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
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.IterationResult;
import org.gpuattest.kernels.MemoryPassResult;

/**
 * One virtual CPU device. Each iteration is cut into blocks of {@link #BLOCK_ROWS} rows, as a
 * GPU grid is cut into thread blocks; a block generates its rows of A(g, t), multiplies them
 * with the shared B(g) by {@link CanonicalProduct} and hashes them. Each block notes which
 * worker ran it and for how long: the SM monitor of canonical-v1's GPU kernels, on a CPU.
 * For the memory phase it keeps the products of the kept iterations in the heap, as a GPU
 * keeps them in its memory, and streams them through the pass's chain on the same workers.
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
  /** The first kept iteration, and C(g, t) of each kept t as iterate computes it (or null). */
  private int keptFirst;
  private double[][] kept;
  /** Which kept products this job has computed: a pass over one not computed is refused. */
  private boolean[] keptDone;

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
    if (kept != null && kept[0].length != n * n) {
      throw new IllegalStateException("products of n=" + this.n + " are kept; prepared for n="
          + n);
    }
    this.key = key;
    this.g = g;
    this.n = n;
    this.b = CanonicalProduct.pack(Operands.matrixB(key, g, n), n);
    if (keptDone != null) {
      java.util.Arrays.fill(keptDone, false); // a new job: its own products to keep
    }
  }

  /** Takes the heap for the kept products now: the CPU backend keeps them in RAM. */
  @Override
  public void keep(int first, int count) throws BackendException {
    if (first < 0 || count < 1) {
      throw new IllegalArgumentException("kept iterations must be first >= 0, count >= 1, got "
          + first + ", " + count);
    }
    if (n == 0) {
      throw new IllegalStateException("allocate or prepare before keep");
    }
    try {
      double[][] products = new double[count][];
      for (int k = 0; k < count; k++) {
        products[k] = new double[n * n];
      }
      kept = products;
      keptFirst = first;
      keptDone = new boolean[count];
    } catch (OutOfMemoryError e) {
      kept = null;
      throw new BackendException(String.format("cpu device %d: cannot keep %d products of"
          + " n=%d (%.1f MiB) in this JVM's heap; raise -Xmx", ordinal, count, n,
          (double) count * n * n * Double.BYTES / 1048576.0));
    }
  }

  @Override
  public void allocate(int n) {
    this.n = n;
  }

  @Override
  public MemoryPassResult memoryPass(PhiloxKey passKey) throws BackendException {
    if (kept == null) {
      throw new IllegalStateException("no products are kept");
    }
    for (int k = 0; k < kept.length; k++) {
      if (!keptDone[k]) {
        throw new BackendException("cpu device " + ordinal + ": kept iteration "
            + (keptFirst + k) + " was not computed before the memory pass");
      }
    }
    double[] v = Operands.memoryVector(passKey, n);
    byte[][] roots = new byte[kept.length][];
    List<Future<?>> work = new ArrayList<>();
    for (int k = 0; k < kept.length; k++) {
      int index = k;
      work.add(pool.executor().submit(() -> {
        double[] y = new double[n];
        MemoryPass.multiply(kept[index], 0, n, n, v, y, 0);
        roots[index] = MemoryPass.vectorRoot(y, 0, n);
      }));
    }
    await(work);
    return new MemoryPassResult(roots, MemoryPass.memoryRoot(roots));
  }

  @Override
  public double[] memoryProduct(int t, PhiloxKey passKey) throws BackendException {
    if (b == null) {
      throw new IllegalStateException("prepare was not called");
    }
    double[] a = Operands.matrixA(key, g, t, n);
    double[] c = new double[n * n];
    CanonicalProduct.multiply(a, 0, n, b, c, 0);
    double[] y = new double[n];
    MemoryPass.multiply(c, 0, n, n, Operands.memoryVector(passKey, n), y, 0);
    return y;
  }

  @Override
  public IterationResult iterate(int t) throws BackendException {
    long start = System.nanoTime();
    byte[][] leaves = compute(t);
    if (kept != null && t >= keptFirst && t < keptFirst + kept.length) {
      keptDone[t - keptFirst] = true;
    }
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
    await(blocks);
    return leaves;
  }

  private void await(List<Future<?>> blocks) throws BackendException {
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
  }

  private void block(int t, int first, int rows, byte[][] leaves) {
    long start = System.nanoTime();
    double[] a = new double[rows * n];
    for (int r = 0; r < rows; r++) {
      Operands.rowA(key, g, t, n, first + r, a, r * n);
    }
    double[] c = new double[rows * n];
    CanonicalProduct.multiply(a, 0, rows, b, c, 0);
    if (kept != null && t >= keptFirst && t < keptFirst + kept.length) {
      System.arraycopy(c, 0, kept[t - keptFirst], first * n, rows * n);
    }
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
    kept = null;
    keptDone = null;
  }
}
