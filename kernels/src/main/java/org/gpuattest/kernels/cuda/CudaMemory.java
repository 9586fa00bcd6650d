package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.MemoryPassResult;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;

/**
 * One GPU's part in the memory phase (docs/protocol.md §2.2): the K kept products back to back
 * in one allocation, where {@link CudaDevice#iterate} writes the product of a kept iteration
 * instead of a C buffer, and a pass over them on the device's stream: v_p by philox_fill
 * (counter word 3 = 2) under the pass's key, memory_pass, memory_leaves, memory_vector_roots,
 * then merkle_root over the vector roots' leaves. Only the K vector roots and the memory root
 * come back, so the prover's CPU hashes nothing while the validator's clock runs. The buffers
 * are the device's resources, freed at its close.
 */
final class CudaMemory {
  /** Buffer names in {@link DeviceResources}. */
  static final String KEPT = "kept";
  private static final String V = "memoryV";
  private static final String Y = "memoryY";
  private static final String LEAVES = "memoryLeaves";
  private static final String SCRATCH = "memoryScratch";
  private static final String ROOTS = "memoryRoots";
  private static final String ROOT_LEAVES = "memoryRootLeaves";
  private static final String TREE_SCRATCH = "memoryTreeScratch";
  private static final String MEMORY_ROOT = "memoryRoot";

  private final CudaDevice device;
  private final CudaDriver driver;
  private final DeviceResources res;
  private final int n;
  private final int first;
  private final int count;

  private CudaMemory(CudaDevice device, CudaDriver driver, DeviceResources res, int n,
      int first, int count) {
    this.device = device;
    this.driver = driver;
    this.res = res;
    this.n = n;
    this.first = first;
    this.count = count;
  }

  /**
   * Takes the buffers for {@code count} kept products from iteration {@code first} at size n
   * (first -1: none kept, the buffers of one product's pass, for an opening).
   *
   * @throws BackendException the GPU cannot hold them (naming it and the bytes); the device is
   *     closed then
   */
  static CudaMemory open(CudaDevice device, CudaDriver driver, DeviceResources res, int n,
      int first, int count) throws BackendException {
    if (n == 0) {
      throw new IllegalStateException("allocate before keeping products");
    }
    CudaMemory m = new CudaMemory(device, driver, res, n, first, count);
    try {
      driver.setCurrent(res.context());
      long elements = (long) count * n;
      res.allocate(KEPT, (long) count * n * n * Double.BYTES);
      res.allocate(V, n * 8L);
      res.allocate(Y, elements * 8);
      res.allocate(LEAVES, elements * 32);
      res.allocate(SCRATCH, elements * 32); // each product's tree levels in its own 32 n bytes
      res.allocate(ROOTS, count * 32L);
      res.allocate(ROOT_LEAVES, count * 32L);
      res.allocate(TREE_SCRATCH, 2L * ((count + 1) / 2) * 32);
      res.allocate(MEMORY_ROOT, 32);
      return m;
    } catch (CudaException e) {
      device.close();
      throw device.failure(String.format(Locale.ROOT, "keeping %d products of n=%d for the"
          + " memory phase (%.2f GiB with the pass's buffers)", count, n,
          bytes(n, count) / (double) (1L << 30)), e);
    }
  }

  /** Device bytes the memory phase holds besides the job: the products and a pass's work. */
  static long bytes(int n, int count) {
    long elements = (long) count * n;
    return (long) count * n * n * Double.BYTES + n * 8L + elements * (8 + 32 + 32)
        + 4L * count * 32 + 32;
  }

  boolean keeps(int t) {
    return t >= first && t < first + count;
  }

  /** Where kept iteration t's product goes. */
  DevicePointer slot(int t) {
    return res.buffer(KEPT).plus((long) (t - first) * n * n * Double.BYTES);
  }

  /**
   * Queues one whole pass on {@code stream}: v_p from {@code passKey}, y = C v_p for every kept
   * product, the element leaves, the vector roots and the memory root.
   */
  private void queuePass(PhiloxKey passKey, CudaDriver.Stream stream) throws CudaException {
    long elements = (long) count * n;
    vector(passKey, stream);
    device.launch(Kernel.MEMORY_PASS, KernelGeometry.memoryPassGrid(n, count),
        KernelGeometry.memoryPassBlock(), stream, res.buffer(KEPT), res.buffer(V),
        res.buffer(Y), n);
    device.launch(Kernel.MEMORY_LEAVES, KernelGeometry.memoryLeavesGrid(elements),
        KernelGeometry.memoryLeavesBlock(), stream, res.buffer(Y), elements,
        res.buffer(LEAVES));
    device.launch(Kernel.MEMORY_VECTOR_ROOTS, KernelGeometry.memoryRootsGrid(count),
        KernelGeometry.treeBlock(), stream, res.buffer(LEAVES), res.buffer(SCRATCH), n,
        res.buffer(ROOTS), res.buffer(ROOT_LEAVES));
    device.launch(Kernel.TREE, KernelGeometry.treeGrid(), KernelGeometry.treeBlock(), stream,
        res.buffer(ROOT_LEAVES), res.buffer(TREE_SCRATCH), count, res.buffer(MEMORY_ROOT));
  }

  /** One pass: s_p(g, t) of each kept t, in order, and m_p(g). */
  MemoryPassResult pass(PhiloxKey passKey) throws BackendException {
    CudaDriver.Stream stream = res.stream();
    try {
      driver.setCurrent(res.context());
      queuePass(passKey, stream);
      driver.synchronize(stream);
      byte[] all = new byte[32 * count];
      driver.copyToHost(all, res.buffer(ROOTS));
      byte[] root = new byte[32];
      driver.copyToHost(root, res.buffer(MEMORY_ROOT));
      byte[][] roots = new byte[count][];
      for (int k = 0; k < count; k++) {
        roots[k] = Arrays.copyOfRange(all, 32 * k, 32 * k + 32);
      }
      return new MemoryPassResult(roots, root);
    } catch (CudaException e) {
      throw device.failure("a memory pass", e);
    }
  }

  /** y = C(g, t) x v_p, C(g, t) computed anew into C0 (an opening's). */
  double[] product(int t, int g, PhiloxKey passKey) throws BackendException {
    CudaDriver.Stream stream = res.stream();
    try {
      driver.setCurrent(res.context());
      device.fill(res.buffer("A"), t, g, 0, stream);
      device.multiply(res.buffer("C0"), stream);
      vector(passKey, stream);
      device.launch(Kernel.MEMORY_PASS, KernelGeometry.memoryPassGrid(n, 1),
          KernelGeometry.memoryPassBlock(), stream, res.buffer("C0"), res.buffer(V),
          res.buffer(Y), n);
      driver.synchronize(stream);
      byte[] bytes = new byte[8 * n];
      driver.copyToHost(bytes, res.buffer(Y));
      double[] y = new double[n];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(y);
      return y;
    } catch (CudaException e) {
      throw device.failure("the memory element of C(" + g + "," + t + ")", e);
    }
  }

  /**
   * What 'attestor bench' times on the GPU's events: {@code passes} launches of memory_pass
   * alone, the same number of whole passes (v_p, memory_pass, leaves, vector roots, memory
   * root), and a device-to-device copy of the first half of the kept bytes onto the second
   * (the products' contents do not matter to the rates).
   *
   * @param copiedBytes how many bytes the copy moved (each read once and written once)
   */
  record Timing(double streamMillis, double passMillis, double copyMillis, long copiedBytes) {}

  Timing bench(int passes) throws BackendException {
    CudaDriver.Stream stream = res.stream();
    CudaDriver.Event[] marks = res.eventArray();
    PhiloxKey key = new PhiloxKey(0x5eed, 0x3e3);
    long half = (long) count / 2 * n * n * Double.BYTES;
    try {
      driver.setCurrent(res.context());
      vector(key, stream);
      driver.record(marks[0], stream);
      for (int p = 0; p < passes; p++) {
        device.launch(Kernel.MEMORY_PASS, KernelGeometry.memoryPassGrid(n, count),
            KernelGeometry.memoryPassBlock(), stream, res.buffer(KEPT), res.buffer(V),
            res.buffer(Y), n);
      }
      driver.record(marks[1], stream);
      driver.synchronize(stream);
      driver.record(marks[2], stream);
      for (int p = 0; p < passes; p++) {
        queuePass(key, stream);
      }
      driver.record(marks[3], stream);
      driver.synchronize(stream);
      driver.record(marks[4], stream);
      driver.copyOnDevice(res.buffer(KEPT).plus(half), res.buffer(KEPT), half, stream);
      driver.record(marks[5], stream);
      driver.synchronize(stream);
      return new Timing(driver.elapsedMillis(marks[0], marks[1]),
          driver.elapsedMillis(marks[2], marks[3]), driver.elapsedMillis(marks[4], marks[5]),
          half);
    } catch (CudaException e) {
      throw device.failure("timing the memory pass", e);
    }
  }

  /** v_p: philox_fill of n elements with counter (j >> 1, 0, 0, 2) under the pass key. */
  private void vector(PhiloxKey passKey, CudaDriver.Stream stream) throws CudaException {
    device.launch(Kernel.PHILOX_FILL, CudaDriver.Dim3.of((n / 2 + KernelGeometry.FILL_THREADS
        - 1) / KernelGeometry.FILL_THREADS), KernelGeometry.fillBlock(), stream, res.buffer(V),
        (long) n / 2, passKey.k0(), passKey.k1(), 0, 0, 2);
  }
}
