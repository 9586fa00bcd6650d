package org.gpuattest.kernels.cuda;

import static org.gpuattest.kernels.cuda.DmmaModelTest.assertCanonical;
import static org.gpuattest.kernels.cuda.KernelModelsTest.adversarial;
import static org.gpuattest.kernels.cuda.KernelModelsTest.alloc;
import static org.gpuattest.kernels.cuda.KernelModelsTest.doubles;
import static org.gpuattest.kernels.cuda.KernelModelsTest.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

  static double[] wide(String entry, double[] a, double[] b, int n, ByteBuffer smBlocks,
      ByteBuffer smBusy, int smCount, AtomicLong clock) {
    ByteBuffer c = alloc(8L * n * n);
    for (int e = 0; e < n * n; e++) {
      c.putDouble(8 * e, Double.NaN); // every element must be overwritten
    }
    Object[] args = entry.equals("matmul_dmma_wide")
        ? new Object[] {of(a), of(b), c, n, smBlocks, smBusy}
        : new Object[] {of(a), of(b), c, n};
    KernelModels.run(entry, KernelGeometry.dmmaWideGrid(n), KernelGeometry.dmmaBlock(), args,
        smCount, () -> clock.addAndGet(10));
    return doubles(c, n * n);
  }

  /** How many elements of the model's C, under {@code order}, differ from the chain. */
  static int differing(double[] a, double[] b, int n, DmmaLayout.Lanes lanes,
      DmmaModel.Order order) {
    ByteBuffer c = alloc(8L * n * n);
    DmmaModel.multiply(WIDE, a, b, c, n, lanes, order);
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
        double[] c = wide(entry, ab[0], ab[1], n, alloc(8 * 1024), alloc(8 * 1024), 132,
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
    double[] c = wide("matmul_dmma_wide", a, b, n, alloc(8 * 1024), alloc(8 * 1024), 4,
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
    assertEquals(0, differing(a, b, n, DmmaLayout.KERNEL, DmmaModel.Order.CANONICAL));
    DmmaModel.Order swapped = new DmmaModel.Order(new int[] {1, 0, 2, 3}, false);
    DmmaModel.Order reversed = new DmmaModel.Order(new int[] {0, 1, 2, 3}, true);
    for (DmmaModel.Order o : new DmmaModel.Order[] {swapped, reversed}) {
      int differ = differing(a, b, n, DmmaLayout.KERNEL, o);
      assertTrue(differ > n * n / 4, "only " + differ + " elements differ");
    }
  }

  @Test
  void laneMapping_disagreeingWithTheHardwareLayout_changesTheBits() {
    int n = 128;
    double[] a = Operands.matrixA(KEY, 0, 1, n);
    double[] b = Operands.matrixB(KEY, 0, n);
    for (String which : new String[] {"A", "B", "C"}) {
      int differ = differing(a, b, n, DmmaModelTest.wrong(which), DmmaModel.Order.CANONICAL);
      assertTrue(differ > n * n / 2, which + " transposed: only " + differ + " differ");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {128, 256, 384})
  void cMapping_everyElementOfC_writtenByExactlyOneLane(int n) {
    int[] writes = new int[n * n];
    Dim3 grid = KernelGeometry.dmmaWideGrid(n);
    for (int by = 0; by < grid.y(); by++) {
      for (int bx = 0; bx < grid.x(); bx++) {
        for (int warp = 0; warp < DmmaWideLayout.WARPS; warp++) {
          for (int mi = 0; mi < DmmaWideLayout.M_TILES; mi++) {
            for (int ni = 0; ni < DmmaWideLayout.N_TILES; ni++) {
              for (int lane = 0; lane < 32; lane++) {
                for (int e = 0; e < 2; e++) {
                  writes[(int) DmmaModel.cElement(WIDE, n, bx, by, warp, mi, ni, lane, e,
                      DmmaLayout.KERNEL)]++;
                }
              }
            }
          }
        }
      }
    }
    for (int e = 0; e < writes.length; e++) {
      assertEquals(1, writes[e], "element " + e);
    }
  }

  @Test
  void stagingAndFragments_everyMmaGetsA_rowK_andB_kCol_fromTheRightPlace() {
    // Operands that name their own position: A[i][k] = 1000 i + k, B[k][j] = 1000 k + j.
    int n = 256;
    double[] a = new double[n * n];
    double[] b = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < n; k++) {
        a[i * n + k] = 1000 * i + k;
        b[i * n + k] = 1000 * i + k;
      }
    }
    for (int[] blk : new int[][] {{0, 0}, {1, 0}, {0, 1}}) {
      int row0 = 128 * blk[1];
      int col0 = 128 * blk[0];
      for (int k0 = 0; k0 < n; k0 += DmmaWideLayout.KTILE) {
        DmmaModel.Shared shared = new DmmaModel.Shared(WIDE);
        int st = DmmaWideLayout.stage(k0 / DmmaWideLayout.KTILE);
        DmmaModel.stage(WIDE, shared.as[st], shared.bs[st], a, b, n, row0, col0, k0);
        for (int warp = 0; warp < DmmaWideLayout.WARPS; warp++) {
          for (int kk = 0; kk < DmmaWideLayout.KTILE; kk += DmmaLayout.K) {
            for (int mi = 0; mi < DmmaWideLayout.M_TILES; mi++) {
              double[] f = DmmaModel.aFragment(WIDE, shared.as[st], warp, mi, kk,
                  DmmaLayout.KERNEL);
              for (int lane = 0; lane < 32; lane++) {
                int[] p = DmmaModel.hardwareA(lane); // where the mma takes it from
                int i = row0 + DmmaWideLayout.tileRow(warp, mi) + p[0];
                assertEquals(1000 * i + k0 + kk + p[1], f[lane], "A fragment, lane " + lane);
              }
            }
            for (int ni = 0; ni < DmmaWideLayout.N_TILES; ni++) {
              double[] f = DmmaModel.bFragment(WIDE, shared.bs[st], warp, ni, kk,
                  DmmaLayout.KERNEL);
              for (int lane = 0; lane < 32; lane++) {
                int[] p = DmmaModel.hardwareB(lane);
                int j = col0 + DmmaWideLayout.tileCol(warp, ni) + p[1];
                assertEquals(1000 * (k0 + kk + p[0]) + j, f[lane], "B fragment, lane " + lane);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void staging_fillsEveryTileSlotOnce_neverThePadding_with16ByteAlignedChunks() {
    int[] aWrites = new int[DmmaWideLayout.A_STAGE];
    int[] bWrites = new int[DmmaWideLayout.B_STAGE];
    for (int c = 0; c < DmmaWideLayout.THREADS * DmmaWideLayout.CHUNKS_PER_THREAD; c++) {
      int as = DmmaWideLayout.aChunkRow(c) * DmmaWideLayout.A_STRIDE + DmmaWideLayout.aChunkK(c);
      int bs = DmmaWideLayout.bChunkK(c) * DmmaWideLayout.B_STRIDE
          + DmmaWideLayout.bChunkCol(c);
      assertEquals(0, as % 2, "A chunk " + c + " not 16-byte aligned in shared memory");
      assertEquals(0, bs % 2, "B chunk " + c + " not 16-byte aligned in shared memory");
      aWrites[as]++;
      aWrites[as + 1]++;
      bWrites[bs]++;
      bWrites[bs + 1]++;
    }
    for (int s = 0; s < aWrites.length; s++) {
      assertEquals(s % DmmaWideLayout.A_STRIDE < DmmaWideLayout.KTILE ? 1 : 0, aWrites[s],
          "As " + s);
    }
    for (int s = 0; s < bWrites.length; s++) {
      assertEquals(s % DmmaWideLayout.B_STRIDE < DmmaWideLayout.TILE ? 1 : 0, bWrites[s],
          "Bs " + s);
    }
    // The B stages start after the A stages, 16-byte aligned.
    assertEquals(0, DmmaWideLayout.STAGES * DmmaWideLayout.A_STAGE % 2);
  }

  @Test
  void fragmentReads_everyWarpsHalfWarps_hit32DistinctBanks() {
    // The padding's purpose: 16 lanes' doubles (2 banks each) on 32 banks, for every warp's
    // every m-tile and n-tile.
    for (int warp = 0; warp < DmmaWideLayout.WARPS; warp++) {
      for (int t = 0; t < DmmaWideLayout.M_TILES; t++) {
        for (int kk = 0; kk < DmmaWideLayout.KTILE; kk += DmmaLayout.K) {
          for (int half = 0; half < 2; half++) {
            boolean[] aBanks = new boolean[32];
            boolean[] bBanks = new boolean[32];
            for (int lane = 16 * half; lane < 16 * half + 16; lane++) {
              int a = (DmmaWideLayout.tileRow(warp, t) + DmmaLayout.aRow(lane))
                  * DmmaWideLayout.A_STRIDE + kk + DmmaLayout.aK(lane);
              int b = (kk + DmmaLayout.bK(lane)) * DmmaWideLayout.B_STRIDE
                  + DmmaWideLayout.tileCol(warp, t % DmmaWideLayout.N_TILES)
                  + DmmaLayout.bCol(lane);
              for (int w = 0; w < 2; w++) {
                assertFalse(aBanks[(2 * a + w) % 32], "A bank conflict, lane " + lane);
                aBanks[(2 * a + w) % 32] = true;
                assertFalse(bBanks[(2 * b + w) % 32], "B bank conflict, lane " + lane);
                bBanks[(2 * b + w) % 32] = true;
              }
            }
          }
        }
      }
    }
  }

  @Test
  void ring_theCopyIssuedAtKTileT_neverTakesTheStageBeingMultiplied() {
    // At step t the kernel copies k-tile t + 2 into the stage of k-tile t - 1 (free since the
    // barrier) while k-tiles t and t + 1 stay resident.
    for (int t = 0; t < 50; t++) {
      int next = DmmaWideLayout.stage(t + DmmaWideLayout.STAGES - 1);
      assertNotEquals(DmmaWideLayout.stage(t), next, "t=" + t);
      assertNotEquals(DmmaWideLayout.stage(t + 1), next, "t=" + t);
      if (t > 0) {
        assertEquals(DmmaWideLayout.stage(t - 1), next, "t=" + t);
      }
    }
  }

  @Test
  void wideMonitor_countsEveryBlockAndItsTimeOnItsSm() {
    int n = 384; // a 3 x 3 grid
    int smCount = 4;
    ByteBuffer blocks = alloc(8 * 1024);
    ByteBuffer busy = alloc(8 * 1024);
    wide("matmul_dmma_wide", Operands.matrixA(KEY, 0, 0, n), Operands.matrixB(KEY, 0, n), n,
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
      assertEquals(64 * (warp / 4) + 56, DmmaWideLayout.tileRow(warp, 7));
      assertEquals(32 * (warp % 4) + 24, DmmaWideLayout.tileCol(warp, 3));
    }
    assertTrue(ProductKernel.DMMA_WIDE.fits(256) && !ProductKernel.DMMA_WIDE.fits(192));
    assertTrue(ProductKernel.DMMA.fits(192));
  }
}
