package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.KernelGeometry;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;
import org.gpuattest.kernels.emu.LaunchCounts.Figure;
import org.gpuattest.kernels.emu.LaunchCounts.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped kernels' {@link LaunchCounts}, per kernel and per CTA, against what their CUDA
 * sources say they do (kernels/src/main/cuda, ptx/README.md), worked out here by hand:
 * matmul_ffma issues n^3 fma.rn.f64, both tensor-core tilings n^3 / 256 mma m8n8k4 (256 FMAs
 * each), every staged element crosses from global memory once per block, and so on. A count
 * that moves means the kernel or the emulator changed what runs.
 */
class ShippedKernelCountsTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  /** One CTA of a product kernel at n, by hand from its .cu file. */
  static Map<String, Long> productCta(Kernel k, int n) {
    boolean monitored = !k.entry.endsWith("_unmonitored");
    long atomicBytes = monitored ? 2 * 8 : 0; // thread 0: two atom.global.add.u64
    Map<String, Long> m = new LinkedHashMap<>();
    switch (k) {
      case MATMUL, MATMUL_UNMONITORED -> {
        // 64 x 64 C elements, each n fma; per 16-wide k-tile a thread stores 4 A and 4 B
        // elements in shared memory and, for each of 16 k, loads 4 A and 4 B.
        m.put("FP64_FMA thread", 4096L * n);
        m.put("DMMA warp", 0L);
        m.put("SHARED_LOAD thread", 256L * 128 * (n / 16));
        m.put("SHARED_STORE thread", 256L * 8 * (n / 16));
        m.put("GLOBAL_BYTES_READ", 2L * 64 * n * 8 + atomicBytes);
        m.put("GLOBAL_BYTES_WRITTEN", 64L * 64 * 8 + atomicBytes);
        m.put("CP_ASYNC_BYTES", 0L);
        m.put("BARRIERS_RELEASED", 2L * (n / 16) + 1);
      }
      case MATMUL_DMMA, MATMUL_DMMA_UNMONITORED -> {
        // 8 warps x 2 x 4 mma tiles, one mma per k-step of 4; per k-step a lane loads 2 A and
        // 4 B fragment elements; the A (64 x n) and B (n x 64) panels come by cp.async.
        m.put("FP64_FMA thread", 0L);
        m.put("DMMA warp", 8L * 8 * (n / 4));
        m.put("SHARED_LOAD thread", 256L * 6 * (n / 4));
        m.put("SHARED_STORE thread", 0L);
        m.put("GLOBAL_BYTES_READ", 2L * 64 * n * 8 + atomicBytes);
        m.put("GLOBAL_BYTES_WRITTEN", 64L * 64 * 8 + atomicBytes);
        m.put("CP_ASYNC_BYTES", 2L * 64 * n * 8);
        m.put("BARRIERS_RELEASED", 2L * (n / 16) + 1);
      }
      case MATMUL_DMMA_WIDE, MATMUL_DMMA_WIDE_UNMONITORED -> {
        // 8 warps x 8 x 4 mma tiles; per k-step a lane loads 8 A and 4 B fragment elements;
        // panels of 128 rows and columns; one barrier per k-tile and the last one.
        m.put("FP64_FMA thread", 0L);
        m.put("DMMA warp", 8L * 32 * (n / 4));
        m.put("SHARED_LOAD thread", 256L * 12 * (n / 4));
        m.put("SHARED_STORE thread", 0L);
        m.put("GLOBAL_BYTES_READ", 2L * 128 * n * 8 + atomicBytes);
        m.put("GLOBAL_BYTES_WRITTEN", 128L * 128 * 8 + atomicBytes);
        m.put("CP_ASYNC_BYTES", 2L * 128 * n * 8);
        m.put("BARRIERS_RELEASED", (long) (n / 16) + 1);
      }
      default -> throw new IllegalArgumentException(k + " is not a product kernel");
    }
    m.put("FP64_OTHER thread", 0L);
    m.put("ATOMIC thread", monitored ? 2L : 0L);
    // The fragment reads of both tilings and matmul_ffma's tile accesses are conflict-free by
    // design (ptx/README.md: padded strides, each half-warp on 32 distinct banks).
    m.put("SHARED_BANK_CONFLICTS", 0L);
    return m;
  }

  static Map<String, Long> actual(LaunchCounts c, int cta, Map<String, Long> keys) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String key : keys.keySet()) {
      String[] parts = key.split(" ");
      long v;
      if (parts.length == 1) {
        Figure f = Figure.valueOf(parts[0]);
        v = cta < 0 ? c.figure(f) : c.figure(cta, f);
      } else {
        Kind kind = Kind.valueOf(parts[0]);
        boolean warp = parts[1].equals("warp");
        v = cta < 0 ? (warp ? c.warpInstructions(kind) : c.threadInstructions(kind))
            : (warp ? c.warpInstructions(cta, kind) : c.threadInstructions(cta, kind));
      }
      out.put(key, v);
    }
    return out;
  }

  /** Every CTA of a product kernel at two tiles a side counts what its source says. */
  @ParameterizedTest
  @EnumSource(value = Kernel.class, names = {"MATMUL", "MATMUL_UNMONITORED", "MATMUL_DMMA",
      "MATMUL_DMMA_UNMONITORED", "MATMUL_DMMA_WIDE", "MATMUL_DMMA_WIDE_UNMONITORED"})
  void counts_productKernel_everyCtaCountsWhatItsSourceDoes(Kernel k) throws Exception {
    int n = 2 * ShippedKernels.tile(k);
    LaunchCounts c = product(k, n).launch().counts();
    assertEquals(k.entry, c.kernel());
    assertEquals(4, c.ctas(), "CTAs");
    Map<String, Long> want = productCta(k, n);
    List<String> failures = new ArrayList<>();
    for (int cta = 0; cta < c.ctas(); cta++) {
      Map<String, Long> got = actual(c, cta, want);
      if (!got.equals(want)) {
        failures.add("CTA " + cta + ": " + got + ", expected " + want);
      }
    }
    assertTrue(failures.isEmpty(), k.entry + " n=" + n + "\n" + String.join("\n", failures));
  }

  /** matmul_ffma: n^3 fma.rn.f64 thread-instructions in all, n^3 / 32 warp-instructions. */
  @ParameterizedTest
  @ValueSource(ints = {64, 192})
  void counts_matmulFfma_fmaIsNCubed(int n) throws Exception {
    LaunchCounts c = product(Kernel.MATMUL, n).launch().counts();
    assertEquals((long) n * n * n, c.threadInstructions(Kind.FP64_FMA));
    assertEquals((long) n * n * n / 32, c.warpInstructions(Kind.FP64_FMA));
    assertEquals(0, c.warpInstructions(Kind.DMMA));
  }

  /**
   * Both tensor-core tilings: n^3 / 256 mma (warp-instructions; 32 lanes each), whatever the
   * tile, and no scalar FP64 arithmetic.
   */
  @ParameterizedTest
  @EnumSource(value = Kernel.class, names = {"MATMUL_DMMA", "MATMUL_DMMA_WIDE"})
  void counts_tensorKernels_dmmaIsNCubedOver256(Kernel k) throws Exception {
    int n = 256;
    LaunchCounts c = product(k, n).launch().counts();
    long mma = (long) n * n * n / 256;
    assertEquals(mma, c.warpInstructions(Kind.DMMA), "mma warp-instructions");
    assertEquals(32 * mma, c.threadInstructions(Kind.DMMA), "mma thread-instructions");
    assertEquals(0, c.threadInstructions(Kind.FP64_FMA) + c.threadInstructions(Kind.FP64_OTHER));
    assertEquals(n * n * (long) n / 8 * (k == Kernel.MATMUL_DMMA_WIDE ? 1 : 2),
        c.figure(Figure.CP_ASYNC_BYTES), "cp.async bytes: each panel once per block");
  }

  /**
   * philox_fill: per pair two cvt.rn.f64.u64, two mul.rn.f64 and two add.rn.f64 (the element
   * mapping, section 1.4) and one 16-byte store; no FMA.
   */
  @Test
  void counts_philoxFill_sixFp64OpsAndSixteenBytesPerPair() throws Exception {
    int n = 128;
    ShippedKernels k = ShippedKernels.shipped().counting();
    long out = k.allocate(8L * n * n, (byte) 0);
    LaunchCounts c = k.launch(Kernel.PHILOX_FILL, KernelGeometry.fillGrid(n),
        KernelGeometry.fillBlock(), out, (long) n * n / 2, 1, 2, 3, 4, 5).counts();
    long pairs = (long) n * n / 2;
    assertEquals(6 * pairs, c.threadInstructions(Kind.FP64_OTHER));
    assertEquals(0, c.threadInstructions(Kind.FP64_FMA));
    assertEquals(pairs, c.threadInstructions(Kind.GLOBAL_STORE));
    assertEquals(16 * pairs, c.figure(Figure.GLOBAL_BYTES_WRITTEN));
    assertEquals(0, c.figure(Figure.GLOBAL_BYTES_READ));
  }

  /** sha256_rows reads each row once (8n bytes) and writes one 32-byte leaf per row. */
  @Test
  void counts_sha256Rows_readEveryRowOnce() throws Exception {
    int n = 128;
    ShippedKernels k = ShippedKernels.shipped().counting();
    long c = k.upload(new double[n * n]);
    long leaves = k.allocate(32L * n, (byte) 0);
    LaunchCounts counts = k.launch(Kernel.ROW_HASH, KernelGeometry.rowHashGrid(n),
        KernelGeometry.rowHashBlock(), c, n, leaves).counts();
    assertEquals(8L * n * n, counts.figure(Figure.GLOBAL_BYTES_READ));
    assertEquals(32L * n, counts.figure(Figure.GLOBAL_BYTES_WRITTEN));
    assertEquals(n / KernelGeometry.ROW_HASH_THREADS, counts.ctas());
  }

  /**
   * merkle_root over {@code count} leaves: count - 1 node hashes (64 bytes in, 32 out), a
   * 32-byte move for every level with an odd number of nodes, the root's 32 bytes, and one
   * barrier release per level.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7, 64, 1000})
  void counts_merkleRoot_hashesCountMinusOneNodes(int count) throws Exception {
    byte[][] leaves = new byte[count][32];
    ShippedKernels k = ShippedKernels.shipped().counting();
    long in = k.upload(ShippedKernels.join(leaves));
    long scratch = k.allocate(2L * ((count + 1) / 2) * 32, (byte) 0);
    long root = k.allocate(32, (byte) 0);
    LaunchCounts c = k.launch(Kernel.TREE, KernelGeometry.treeGrid(), KernelGeometry.treeBlock(),
        in, scratch, count, root).counts();
    long moves = 0;
    long levels = 0;
    for (int m = count; m > 1; m = (m + 1) / 2) {
      moves += m % 2;
      levels++;
    }
    assertEquals(64L * (count - 1) + 32 * moves + 32, c.figure(Figure.GLOBAL_BYTES_READ));
    assertEquals(32L * (count - 1) + 32 * moves + 32, c.figure(Figure.GLOBAL_BYTES_WRITTEN));
    assertEquals(levels, c.figure(Figure.BARRIERS_RELEASED));
  }

  private static ShippedKernels.Product product(Kernel k, int n) throws Exception {
    return ShippedKernels.shipped().counting().product(k, Operands.matrixA(KEY, 0, 0, n),
        Operands.matrixB(KEY, 0, n), n);
  }
}
