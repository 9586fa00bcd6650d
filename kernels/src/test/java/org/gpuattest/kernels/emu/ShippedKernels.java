package org.gpuattest.kernels.emu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;
import org.gpuattest.kernels.cuda.PtxLibrary;

/**
 * The shipped PTX (ptx/*.ptx, read from the kernels jar's resources as {@link PtxLibrary} reads
 * it for the driver) run on the emulator as {@code CudaDevice} launches it: {@link
 * KernelGeometry}'s grids, blocks and dynamic shared memory, the host's argument order
 * (ptx/README.md's table), device buffers of one emulated GPU's memory. The sanitizer is on in
 * every launch, so an access the kernel should not make is a {@link KernelFault}. One file's
 * text may be replaced ({@link #withPtx}), for the mutation table ({@code PtxMutationTest}).
 *
 * <p>Not thread-safe: one test's launches at a time.
 */
final class ShippedKernels {
  /** An H100-like GPU small enough for tests: 4 SMs of compute capability 9.0. */
  static final EmulatedGpu GPU = EmulatedGpu.of(4, "9.0");
  /** The newest PTX ISA the emulated driver takes: CUDA 12.6's, 8.5. */
  static final int MAX_ISA = 85;
  static final int CAPABILITY = 90;
  /** Leaf and node hashes are 32 bytes (merkle_root's slots). */
  static final int HASH = 32;

  /** Modules of the files as shipped, parsed and decoded once per test JVM. */
  private static final Map<String, PtxModule> SHIPPED = new ConcurrentHashMap<>();

  private final Map<String, PtxModule> replaced = new HashMap<>();
  private final DeviceMemory memory = new DeviceMemory(1L << 30);
  private long clock;
  private boolean counting;

  private ShippedKernels() {}

  /** The kernels as shipped. */
  static ShippedKernels shipped() {
    return new ShippedKernels();
  }

  /**
   * The kernels with {@code file}'s text replaced by {@code ptx}.
   *
   * @throws PtxLoadException the emulated driver refuses the text
   */
  static ShippedKernels withPtx(String file, String ptx) throws PtxLoadException {
    ShippedKernels k = new ShippedKernels();
    k.replaced.put(file, PtxModule.load(ptx, MAX_ISA, CAPABILITY));
    return k;
  }

  /** The text of one shipped file, as the kernels jar carries it. */
  static String text(String file) {
    try {
      return PtxLibrary.text(file);
    } catch (BackendException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Collects {@link LaunchCounts} in the launches from now on. */
  ShippedKernels counting() {
    counting = true;
    return this;
  }

  DeviceMemory memory() {
    return memory;
  }

  KernelEntry entry(Kernel k) {
    PtxModule module = replaced.get(k.ptxFile);
    if (module == null) {
      module = SHIPPED.computeIfAbsent(k.ptxFile, file -> {
        try {
          return PtxModule.load(text(file), MAX_ISA, CAPABILITY);
        } catch (PtxLoadException e) {
          throw new IllegalStateException("ptx/" + file + " " + e.getMessage() + "\n"
              + e.log(), e);
        }
      });
    }
    KernelEntry entry = module.entry(k.entry);
    if (entry == null) {
      throw new IllegalStateException("ptx/" + k.ptxFile + " has no entry " + k.entry);
    }
    return entry;
  }

  /**
   * Launches {@code k} with its dynamic shared memory; the GPU's virtual clock goes on from
   * where the last launch ended.
   *
   * @param args each parameter in the entry's order: pointers and 64-bit values whole, 32-bit
   *     ones in the low bits
   */
  LaunchResult launch(Kernel k, Dim3 grid, Dim3 block, long... args) throws KernelFault {
    LaunchResult r = Launch.run(entry(k), grid, block, k.dynamicSharedBytes, args, memory, GPU,
        clock, counting);
    clock = r.endNanos();
    return r;
  }

  // ---- the kernels as the host calls them -------------------------------------------------

  /**
   * philox_fill of an n x n matrix with counter words (c1, c2, c3) under key (k0, k1): the
   * fill CudaDevice runs for A(g, t) (t, g, 0) and B(g) (0, g, 1).
   */
  double[] fill(int n, int k0, int k1, int c1, int c2, int c3) throws KernelFault {
    long out = allocate(8L * n * n, (byte) 0xA5);
    launch(Kernel.PHILOX_FILL, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), out,
        (long) n * n / 2, k0, k1, c1, c2, c3);
    double[] got = doubles(out, n * n);
    memory.free(out);
    return got;
  }

  /** What a product launch left: C and, for a monitored entry, the SM monitor's slots. */
  record Product(double[] c, long[] smBlocks, long[] smBusyNanos, LaunchResult launch) {}

  /**
   * One product kernel's entry ({@code k}: monitored or not) on its launch shape, C = A x B,
   * into a C of a sentinel pattern (every element must be overwritten), with zeroed monitor
   * slots as CudaDevice.prepare leaves them.
   */
  Product product(Kernel k, double[] a, double[] b, int n) throws KernelFault {
    long pa = upload(a);
    long pb = upload(b);
    long pc = allocate(8L * n * n, (byte) 0xA5);
    long slots = 8L * KernelGeometry.MONITOR_SLOTS;
    long blocks = allocate(slots, (byte) 0);
    long busy = allocate(slots, (byte) 0);
    boolean monitored = switch (k) {
      case MATMUL, MATMUL_DMMA, MATMUL_DMMA_WIDE -> true;
      case MATMUL_UNMONITORED, MATMUL_DMMA_UNMONITORED, MATMUL_DMMA_WIDE_UNMONITORED -> false;
      default -> throw new IllegalArgumentException(k + " is not a product kernel");
    };
    LaunchResult r = monitored
        ? launch(k, productGrid(k, n), productBlock(k), pa, pb, pc, n, blocks, busy)
        : launch(k, productGrid(k, n), productBlock(k), pa, pb, pc, n);
    Product p = new Product(doubles(pc, n * n), longs(blocks, KernelGeometry.MONITOR_SLOTS),
        longs(busy, KernelGeometry.MONITOR_SLOTS), r);
    for (long ptr : new long[] {pa, pb, pc, blocks, busy}) {
      memory.free(ptr);
    }
    return p;
  }

  /** The grid of a product kernel at n: one block per tile of C (ProductKernel.grid). */
  static Dim3 productGrid(Kernel k, int n) {
    return switch (k) {
      case MATMUL, MATMUL_UNMONITORED -> KernelGeometry.matmulGrid(n);
      case MATMUL_DMMA, MATMUL_DMMA_UNMONITORED -> KernelGeometry.dmmaGrid(n);
      case MATMUL_DMMA_WIDE, MATMUL_DMMA_WIDE_UNMONITORED -> KernelGeometry.dmmaWideGrid(n);
      default -> throw new IllegalArgumentException(k + " is not a product kernel");
    };
  }

  static Dim3 productBlock(Kernel k) {
    return k == Kernel.MATMUL || k == Kernel.MATMUL_UNMONITORED ? KernelGeometry.matmulBlock()
        : KernelGeometry.dmmaBlock();
  }

  /** The side of the square tile of C one block of product kernel {@code k} computes. */
  static int tile(Kernel k) {
    return k == Kernel.MATMUL_DMMA_WIDE || k == Kernel.MATMUL_DMMA_WIDE_UNMONITORED
        ? KernelGeometry.DMMA_WIDE_TILE : KernelGeometry.MATMUL_TILE;
  }

  /** sha256_rows over an n x n C on its launch shape: the n row leaves. */
  byte[][] rowLeaves(double[] c, int n) throws KernelFault {
    return rowLeaves(bytes(c), n);
  }

  /** sha256_rows over an n x n C given as its 8 n^2 bytes, on its launch shape. */
  byte[][] rowLeaves(byte[] c, int n) throws KernelFault {
    long pc = upload(c);
    long leaves = allocate((long) HASH * n, (byte) 0xA5);
    launch(Kernel.ROW_HASH, KernelGeometry.rowHashGrid(n), KernelGeometry.rowHashBlock(), pc, n,
        leaves);
    byte[] all = read(leaves, HASH * n);
    memory.free(pc);
    memory.free(leaves);
    return split(all, n);
  }

  /**
   * merkle_root over {@code leaves}, with a scratch of exactly the size ptx/README.md asks for
   * (2 ceil(count / 2) hashes, so running past it faults), writing the root into slot
   * {@code slot} of an array of {@code slots} (as CudaDevice writes a batch's roots).
   */
  byte[] root(byte[][] leaves, int slot, int slots) throws KernelFault {
    int count = leaves.length;
    long in = upload(join(leaves));
    long scratch = allocate(2L * ((count + 1) / 2) * HASH, (byte) 0);
    long roots = allocate((long) HASH * slots, (byte) 0xA5);
    launch(Kernel.TREE, KernelGeometry.treeGrid(), KernelGeometry.treeBlock(), in, scratch,
        count, roots + (long) HASH * slot);
    byte[] all = read(roots, HASH * slots);
    byte[] leavesAfter = read(in, HASH * count);
    memory.free(in);
    memory.free(scratch);
    memory.free(roots);
    if (!java.util.Arrays.equals(join(leaves), leavesAfter)) {
      throw new AssertionError("merkle_root wrote into its leaves (ptx/README.md: only read)");
    }
    for (int s = 0; s < slots; s++) {
      for (int b = 0; s != slot && b < HASH; b++) {
        if (all[HASH * s + b] != (byte) 0xA5) {
          throw new AssertionError("merkle_root wrote into slot " + s + ", not only " + slot);
        }
      }
    }
    return java.util.Arrays.copyOfRange(all, HASH * slot, HASH * slot + HASH);
  }

  // ---- buffers ------------------------------------------------------------------------------

  long allocate(long bytes, byte fill) {
    try {
      long p = memory.allocate(bytes);
      memory.fill(p, bytes, fill);
      return p;
    } catch (OutOfDeviceMemoryException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  long upload(double[] x) {
    return upload(bytes(x));
  }

  /** Doubles as the GPU holds them: little-endian binary64, bits unchanged. */
  static byte[] bytes(double[] x) {
    ByteBuffer b = ByteBuffer.allocate(8 * x.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : x) {
      b.putLong(Double.doubleToRawLongBits(v));
    }
    return b.array();
  }

  long upload(byte[] bytes) {
    long p = allocate(bytes.length, (byte) 0);
    memory.write(p, bytes);
    return p;
  }

  byte[] read(long address, int bytes) {
    byte[] out = new byte[bytes];
    memory.read(address, out);
    return out;
  }

  double[] doubles(long address, int count) {
    ByteBuffer b = ByteBuffer.wrap(read(address, 8 * count)).order(ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      out[i] = Double.longBitsToDouble(b.getLong());
    }
    return out;
  }

  long[] longs(long address, int count) {
    ByteBuffer b = ByteBuffer.wrap(read(address, 8 * count)).order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[count];
    for (int i = 0; i < count; i++) {
      out[i] = b.getLong();
    }
    return out;
  }

  static byte[] join(byte[][] hashes) {
    byte[] all = new byte[HASH * hashes.length];
    for (int i = 0; i < hashes.length; i++) {
      System.arraycopy(hashes[i], 0, all, HASH * i, HASH);
    }
    return all;
  }

  static byte[][] split(byte[] all, int count) {
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      out[i] = java.util.Arrays.copyOfRange(all, HASH * i, HASH * i + HASH);
    }
    return out;
  }
}
