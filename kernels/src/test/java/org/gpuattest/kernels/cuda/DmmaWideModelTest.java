package org.gpuattest.kernels.cuda;

import static org.gpuattest.kernels.cuda.DmmaModelTest.assertCanonical;
import static org.gpuattest.kernels.cuda.DmmaModelTest.differing;
import static org.gpuattest.kernels.cuda.DmmaModelTest.run;
import static org.gpuattest.kernels.cuda.KernelModelsTest.adversarial;
import static org.gpuattest.kernels.cuda.KernelModelsTest.alloc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model of matmul_dmma_wide ({@link DmmaModel} with {@link DmmaWideLayout#TILING}) against
 * the canonical chain of docs/protocol.md section 1.5: its 128 x 128 block tiles, 64 x 32 warp
 * tiles, three-stage ring and fragment indices give the CPU's bits, and a change of the k order
 * would not. What this cannot show: that a GPU's m8n8k4 f64 mma is the four-step fma chain
 * (measured on H100 by others), and that the CUDA code does what the model does (it has not run
 * on a GPU; the device's probe, ProductProbe, checks that at start-up).
 */
class DmmaWideModelTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(KernelModelsTest.seed(12));
  private static final DmmaTiling WIDE = DmmaWideLayout.TILING;

  @ParameterizedTest
  @ValueSource(ints = {128, 256, 384})
  void wide_randomAndAdversarialOperands_equalTheChainBitForBit(int n) {
    // adversarial: exponents over 2^-60 .. 2^60, 2^52 terms that cancel, signed zeros.
    double[][][] cases = {
      {Operands.matrixA(KEY, 2, 3, n), Operands.matrixB(KEY, 2, n)},
      {adversarial(n, 5L * n, true), adversarial(n, 5L * n + 1, false)},
    };
    for (double[][] ab : cases) {
      for (String entry : new String[] {"matmul_dmma_wide", "matmul_dmma_wide_unmonitored"}) {
        double[] c = run(entry, ab[0], ab[1], n, alloc(8 * 1024), alloc(8 * 1024), 132,
            new AtomicLong());
        assertCanonical(ab[0], ab[1], n, c, entry + " n=" + n);
      }
    }
  }

  @Test
  void negativeZeroProducts_sumToPositiveZero_asTheChainFromPlusZeroDoes() {
    // Every product is -0.0: the chain from +0.0 stays +0.0; one from -0.0 would give -0.0.
    int n = 128;
    double[] a = new double[n * n];
    double[] b = Operands.matrixB(KEY, 4, n);
    java.util.Arrays.fill(a, -0.0);
    for (int e = 0; e < b.length; e++) {
      b[e] = Math.abs(b[e]) + 1.0;
    }
    double[] c = run("matmul_dmma_wide", a, b, n, alloc(8 * 1024), alloc(8 * 1024), 4,
        new AtomicLong());
    for (double v : c) {
      assertEquals(0L, Double.doubleToRawLongBits(v), "+0.0");
    }
  }

  @Test
  void orderMutations_kStepsSwapped_orKTilesReversed_changeTheBits() {
    int n = 128;
    double[] a = adversarial(n, 7L * n, true);
    double[] b = adversarial(n, 7L * n + 1, false);
    assertEquals(0, differing(WIDE, a, b, n, DmmaLayout.KERNEL, DmmaModel.Order.CANONICAL));
    DmmaModel.Order swapped = new DmmaModel.Order(new int[] {1, 0, 2, 3}, false);
    DmmaModel.Order reversed = new DmmaModel.Order(new int[] {0, 1, 2, 3}, true);
    for (DmmaModel.Order o : new DmmaModel.Order[] {swapped, reversed}) {
      int differ = differing(WIDE, a, b, n, DmmaLayout.KERNEL, o);
      assertTrue(differ > n * n / 4, "only " + differ + " elements differ");
    }
  }

  @Test
  void laneMapping_disagreeingWithTheHardwareLayout_changesTheBits() {
    int n = 128;
    double[] a = Operands.matrixA(KEY, 0, 1, n);
    double[] b = Operands.matrixB(KEY, 0, n);
    for (String which : new String[] {"A", "B", "C"}) {
      int differ = differing(WIDE, a, b, n, DmmaModelTest.wrong(which),
          DmmaModel.Order.CANONICAL);
      assertTrue(differ > n * n / 2, which + " transposed: only " + differ + " differ");
    }
  }

  @Test
  void ring_theCopyIssuedAtKTileT_neverTakesTheStageBeingMultiplied() {
    // At step t the kernel copies k-tile t + 2 into the stage of k-tile t - 1 (free since the
    // barrier) while k-tiles t and t + 1 stay resident.
    for (int t = 0; t < 50; t++) {
      int next = WIDE.stage(t + DmmaWideLayout.STAGES - 1);
      assertNotEquals(WIDE.stage(t), next, "t=" + t);
      assertNotEquals(WIDE.stage(t + 1), next, "t=" + t);
      if (t > 0) {
        assertEquals(WIDE.stage(t - 1), next, "t=" + t);
      }
    }
  }

  @Test
  void wideMonitor_countsEveryBlockAndItsTimeOnItsSm() {
    int n = 384; // a 3 x 3 grid
    int smCount = 4;
    ByteBuffer blocks = alloc(8 * 1024);
    ByteBuffer busy = alloc(8 * 1024);
    run("matmul_dmma_wide", Operands.matrixA(KEY, 0, 0, n), Operands.matrixB(KEY, 0, n), n,
        blocks, busy, smCount, new AtomicLong(1_000));
    MonitorAssertions.assertRoundRobin(blocks, busy, smCount, 9);
  }

  @Test
  void run_wrongShapesOrSizes_refused() {
    Object[] args128 = {alloc(8 * 128 * 128), alloc(8 * 128 * 128), alloc(8 * 128 * 128), 128,
        alloc(8 * 1024), alloc(8 * 1024)};
    assertThrows(IllegalArgumentException.class, () -> KernelModels.run("matmul_dmma_wide",
        KernelGeometry.dmmaGrid(128), KernelGeometry.dmmaBlock(), args128, 1, () -> 0L));
    assertThrows(IllegalArgumentException.class, () -> KernelModels.run(
        "matmul_dmma_wide_unmonitored", KernelGeometry.dmmaWideGrid(128),
        KernelGeometry.dmmaBlock(), args128, 1, () -> 0L)); // four arguments, not six
    Object[] args192 = {alloc(8 * 192 * 192), alloc(8 * 192 * 192), alloc(8 * 192 * 192), 192,
        alloc(8 * 1024), alloc(8 * 1024)};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KernelModels.run("matmul_dmma_wide", KernelGeometry.dmmaWideGrid(192),
            KernelGeometry.dmmaBlock(), args192, 1, () -> 0L));
    assertTrue(e.getMessage().contains("multiple of 128"), e.getMessage());
  }

  @Test
  void geometry_wideShape() {
    assertEquals(Dim3.of(2, 2), KernelGeometry.dmmaWideGrid(256));
    assertEquals(Dim3.of(DmmaWideLayout.THREADS), KernelGeometry.dmmaBlock());
    assertEquals(DmmaWideLayout.TILE, KernelGeometry.DMMA_WIDE_TILE);
    assertEquals(112128, KernelGeometry.DMMA_WIDE_SHARED_BYTES);
    assertTrue(KernelGeometry.DMMA_WIDE_SHARED_BYTES > 48 * 1024, "needs the opt-in");
    assertTrue(KernelGeometry.DMMA_WIDE_SHARED_BYTES <= 163 * 1024, "fits sm_80 (A100)");
    for (int warp = 0; warp < DmmaWideLayout.WARPS; warp++) { // 2 x 4 warps of 64 x 32 each
      assertEquals(64 * (warp / 4) + 56, WIDE.tileRow(warp, 7));
      assertEquals(32 * (warp % 4) + 24, WIDE.tileCol(warp, 3));
    }
    assertTrue(ProductKernel.DMMA_WIDE.fits(256) && !ProductKernel.DMMA_WIDE.fits(192));
    assertTrue(ProductKernel.DMMA.fits(192));
  }
}
