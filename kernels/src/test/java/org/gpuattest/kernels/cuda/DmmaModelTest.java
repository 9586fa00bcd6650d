package org.gpuattest.kernels.cuda;

import static org.gpuattest.kernels.cuda.KernelModelsTest.adversarial;
import static org.gpuattest.kernels.cuda.KernelModelsTest.alloc;
import static org.gpuattest.kernels.cuda.KernelModelsTest.doubles;
import static org.gpuattest.kernels.cuda.KernelModelsTest.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model of matmul_dmma ({@link DmmaModel}) against the canonical chain of docs/protocol.md
 * section 1.5, and the fragment and tile mappings it shares with the kernel. What this cannot
 * show: that a GPU's m8n8k4 f64 mma is the four-step fma chain (measured on H100 by others),
 * and that the CUDA code does what the model does (it has not run on a GPU).
 */
class DmmaModelTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(KernelModelsTest.seed(11));

  /**
   * Runs a tensor-core entry (either tiling, monitored or not) on its launch shape through
   * {@link KernelModels#run}, into a C of NaNs, and returns C.
   */
  static double[] run(String entry, double[] a, double[] b, int n, ByteBuffer smBlocks,
      ByteBuffer smBusy, int smCount, AtomicLong clock) {
    ByteBuffer c = alloc(8L * n * n);
    for (int e = 0; e < n * n; e++) {
      c.putDouble(8 * e, Double.NaN); // every element must be overwritten
    }
    DmmaTiling tiling = DmmaModel.tilingOf(entry);
    Object[] args = entry.equals(tiling.entry())
        ? new Object[] {of(a), of(b), c, n, smBlocks, smBusy}
        : new Object[] {of(a), of(b), c, n};
    KernelModels.run(entry, tiling.grid(n), KernelGeometry.dmmaBlock(), args, smCount,
        () -> clock.addAndGet(10));
    return doubles(c, n * n);
  }

  /** How many elements of the model's C (by {@code tiling}, lanes, order) differ from the chain. */
  static int differing(DmmaTiling tiling, double[] a, double[] b, int n, DmmaLayout.Lanes lanes,
      DmmaModel.Order order) {
    ByteBuffer c = alloc(8L * n * n);
    DmmaModel.multiply(tiling, a, b, c, n, lanes, order);
    double[] got = doubles(c, n * n);
    int differ = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        long want = Double.doubleToRawLongBits(CanonicalProduct.element(a, i * n, b, n, j));
        differ += want != Double.doubleToRawLongBits(got[i * n + j]) ? 1 : 0;
      }
    }
    return differ;
  }

  static void assertCanonical(double[] a, double[] b, int n, double[] c, String what) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        long want = Double.doubleToRawLongBits(CanonicalProduct.element(a, i * n, b, n, j));
        assertEquals(want, Double.doubleToRawLongBits(c[i * n + j]),
            what + ": C[" + i + "][" + j + "]");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128, 192})
  void dmma_randomAndAdversarialOperands_equalTheChainBitForBit(int n) {
    double[][][] cases = {
      {Operands.matrixA(KEY, 2, 3, n), Operands.matrixB(KEY, 2, n)},
      {adversarial(n, 3L * n, true), adversarial(n, 3L * n + 1, false)},
    };
    for (double[][] ab : cases) {
      for (String entry : new String[] {"matmul_dmma", "matmul_dmma_unmonitored"}) {
        double[] c = run(entry, ab[0], ab[1], n, alloc(8 * 1024), alloc(8 * 1024), 132,
            new AtomicLong());
        assertCanonical(ab[0], ab[1], n, c, entry + " n=" + n);
      }
    }
  }

  @Test
  void adversarialOperands_reorderingWithinAStepOfFour_changesTheBits() {
    // The test above can fail on the mma's order: k3, k2, k1, k0 within each step of four
    // (the accumulator still carried) gives other bits on these operands.
    int n = 64;
    double[] a = adversarial(n, 3L * n, true);
    double[] b = adversarial(n, 3L * n + 1, false);
    int differ = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double acc = 0.0;
        for (int k = 0; k < n; k++) {
          int kr = k ^ 3; // 3, 2, 1, 0, 7, 6, 5, 4, ...
          acc = Math.fma(a[i * n + kr], b[kr * n + j], acc);
        }
        double up = CanonicalProduct.element(a, i * n, b, n, j);
        differ += Double.doubleToRawLongBits(up) != Double.doubleToRawLongBits(acc) ? 1 : 0;
      }
    }
    assertTrue(differ > n * n / 4, "only " + differ + " elements differ");
  }

  /** A lane mapping that differs from the kernel's in one fragment only. */
  static DmmaLayout.Lanes wrong(String which) {
    return new DmmaLayout.Lanes() {
      @Override
      public int aRow(int lane) {
        return which.equals("A") ? lane & 7 : DmmaLayout.aRow(lane); // a transposed walk
      }

      @Override
      public int aK(int lane) {
        return which.equals("A") ? lane >> 3 : DmmaLayout.aK(lane);
      }

      @Override
      public int bK(int lane) {
        return which.equals("B") ? lane >> 3 : DmmaLayout.bK(lane);
      }

      @Override
      public int bCol(int lane) {
        return which.equals("B") ? lane & 7 : DmmaLayout.bCol(lane);
      }

      @Override
      public int cRow(int lane) {
        return which.equals("C") ? lane & 7 : DmmaLayout.cRow(lane);
      }

      @Override
      public int cCol(int lane, int e) {
        return which.equals("C") ? 2 * (lane >> 3) + e : DmmaLayout.cCol(lane, e);
      }
    };
  }

  @Test
  void laneMapping_disagreeingWithTheHardwareLayout_changesTheBits() {
    int n = 64;
    double[] a = Operands.matrixA(KEY, 0, 1, n);
    double[] b = Operands.matrixB(KEY, 0, n);
    DmmaModel.Order canonical = DmmaModel.Order.CANONICAL;
    assertEquals(0, differing(DmmaLayout.TILING, a, b, n, DmmaLayout.KERNEL, canonical),
        "kernel's lane mapping");
    for (String which : new String[] {"A", "B", "C"}) {
      DmmaLayout.Lanes lanes = wrong(which);
      for (int lane = 0; lane < 32; lane++) { // still a bijection onto each tile
        assertTrue(lanes.aRow(lane) < 8 && lanes.aK(lane) < 4 && lanes.bK(lane) < 4
            && lanes.bCol(lane) < 8 && lanes.cRow(lane) < 8 && lanes.cCol(lane, 1) < 8);
      }
      int differ = differing(DmmaLayout.TILING, a, b, n, lanes, canonical);
      assertTrue(differ > n * n / 2, which + " transposed: only " + differ + " elements differ");
    }
  }

  @Test
  void fragmentMapping_the32Lanes_coverTheATileBTileAndCTileExactlyOnce_asTheHardwareDoes() {
    int[][] aSeen = new int[8][4];
    int[][] bSeen = new int[4][8];
    int[][] cSeen = new int[8][8];
    for (int lane = 0; lane < 32; lane++) {
      aSeen[DmmaLayout.aRow(lane)][DmmaLayout.aK(lane)]++;
      bSeen[DmmaLayout.bK(lane)][DmmaLayout.bCol(lane)]++;
      assertEquals(DmmaModel.hardwareA(lane)[0], DmmaLayout.aRow(lane), "A row, lane " + lane);
      assertEquals(DmmaModel.hardwareA(lane)[1], DmmaLayout.aK(lane), "A k, lane " + lane);
      assertEquals(DmmaModel.hardwareB(lane)[0], DmmaLayout.bK(lane), "B k, lane " + lane);
      assertEquals(DmmaModel.hardwareB(lane)[1], DmmaLayout.bCol(lane), "B col, lane " + lane);
      for (int e = 0; e < 2; e++) {
        cSeen[DmmaLayout.cRow(lane)][DmmaLayout.cCol(lane, e)]++;
        assertEquals(DmmaModel.hardwareC(lane, e)[0], DmmaLayout.cRow(lane));
        assertEquals(DmmaModel.hardwareC(lane, e)[1], DmmaLayout.cCol(lane, e));
      }
    }
    for (int[][] seen : new int[][][] {aSeen, bSeen, cSeen}) {
      for (int[] row : seen) {
        for (int count : row) {
          assertEquals(1, count);
        }
      }
    }
  }

  @Test
  void dmmaMonitor_countsEveryBlockAndItsTimeOnItsSm() {
    int n = 192; // a 3 x 3 grid
    int smCount = 4;
    ByteBuffer blocks = alloc(8 * 1024);
    ByteBuffer busy = alloc(8 * 1024);
    run("matmul_dmma", Operands.matrixA(KEY, 0, 0, n), Operands.matrixB(KEY, 0, n), n, blocks,
        busy, smCount, new AtomicLong(1_000));
    // block (bx, by) on SM (3 by + bx) % 4
    MonitorAssertions.assertRoundRobin(blocks, busy, smCount, 9);
  }

  @Test
  void run_wrongShapesOrArguments_refused() {
    Object[] args = {alloc(8 * 64 * 64), alloc(8 * 64 * 64), alloc(8 * 64 * 64), 64,
        alloc(8 * 1024), alloc(8 * 1024)};
    assertThrows(IllegalArgumentException.class, () -> KernelModels.run("matmul_dmma",
        KernelGeometry.matmulGrid(64), KernelGeometry.matmulBlock(), args, 1, () -> 0L));
    assertThrows(IllegalArgumentException.class, () -> KernelModels.run("matmul_dmma",
        Dim3.of(2, 2), KernelGeometry.dmmaBlock(), args, 1, () -> 0L));
    assertThrows(IllegalArgumentException.class, () -> KernelModels.run(
        "matmul_dmma_unmonitored", KernelGeometry.dmmaGrid(64), KernelGeometry.dmmaBlock(), args,
        1, () -> 0L)); // four arguments, not six
  }

  @Test
  void geometry_dmmaShape() {
    assertEquals(Dim3.of(3, 3), KernelGeometry.dmmaGrid(192));
    assertEquals(Dim3.of(DmmaLayout.THREADS), KernelGeometry.dmmaBlock());
    assertEquals(DmmaLayout.TILE, KernelGeometry.MATMUL_TILE);
    assertEquals(80, KernelGeometry.DMMA_MIN_COMPUTE_CAPABILITY);
    for (int warp = 0; warp < DmmaLayout.WARPS; warp++) { // 4 x 2 warps of 16 x 32 each
      assertEquals(16 * (warp / 2) + 8, DmmaLayout.TILING.tileRow(warp, 1));
      assertEquals(32 * (warp % 2) + 24, DmmaLayout.TILING.tileCol(warp, 3));
    }
  }
}
