package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.stream.Stream;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The index logic of each tensor-core tiling (matmul_dmma's, matmul_dmma_wide's), without a
 * GPU: every element of C is written by exactly one lane; staging puts each A and B element
 * where the fragments read it; the staged chunks fill every tile slot once, never the
 * padding; and the padding keeps every warp's fragment reads free of bank conflicts.
 */
class DmmaTilingTest {
  /** A tiling, the sizes its C mapping is checked at, the blocks its staging is checked on. */
  record Case(DmmaTiling tiling, int[] sizes, int stagingN, int[][] blocks) {
    @Override
    public String toString() {
      return tiling.entry();
    }
  }

  static Stream<Case> tilings() {
    return Stream.of(
        new Case(DmmaLayout.TILING, new int[] {64, 128, 192, 576}, 192,
            new int[][] {{0, 0}, {2, 1}, {1, 2}}),
        new Case(DmmaWideLayout.TILING, new int[] {128, 256, 384}, 256,
            new int[][] {{0, 0}, {1, 0}, {0, 1}}));
  }

  static Stream<Arguments> tilingsAndSizes() {
    return tilings().flatMap(c -> java.util.Arrays.stream(c.sizes())
        .mapToObj(n -> Arguments.of(c, n)));
  }

  @ParameterizedTest(name = "{0}, n = {1}")
  @MethodSource("tilingsAndSizes")
  void cMapping_everyElementOfC_writtenByExactlyOneLane(Case c, int n) {
    DmmaTiling t = c.tiling();
    int[] writes = new int[n * n];
    Dim3 grid = t.grid(n);
    for (int by = 0; by < grid.y(); by++) {
      for (int bx = 0; bx < grid.x(); bx++) {
        for (int warp = 0; warp < t.warps(); warp++) {
          for (int mi = 0; mi < t.mTiles(); mi++) {
            for (int ni = 0; ni < t.nTiles(); ni++) {
              for (int lane = 0; lane < 32; lane++) {
                for (int e = 0; e < 2; e++) {
                  writes[(int) DmmaModel.cElement(t, n, bx, by, warp, mi, ni, lane, e,
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("tilings")
  void stagingAndFragments_everyMmaGetsA_rowK_andB_kCol_fromTheRightPlace(Case c) {
    DmmaTiling t = c.tiling();
    // Operands that name their own position: A[i][k] = 1000 i + k, B[k][j] = 1000 k + j.
    int n = c.stagingN();
    double[] a = new double[n * n];
    double[] b = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < n; k++) {
        a[i * n + k] = 1000 * i + k;
        b[i * n + k] = 1000 * i + k;
      }
    }
    for (int[] blk : c.blocks()) {
      int row0 = t.tile() * blk[1];
      int col0 = t.tile() * blk[0];
      for (int k0 = 0; k0 < n; k0 += t.ktile()) {
        DmmaModel.Shared shared = new DmmaModel.Shared(t);
        int st = t.stage(k0 / t.ktile());
        DmmaModel.stage(t, shared.as[st], shared.bs[st], a, b, n, row0, col0, k0);
        for (int warp = 0; warp < t.warps(); warp++) {
          for (int kk = 0; kk < t.ktile(); kk += DmmaLayout.K) {
            for (int mi = 0; mi < t.mTiles(); mi++) {
              double[] f = DmmaModel.aFragment(t, shared.as[st], warp, mi, kk,
                  DmmaLayout.KERNEL);
              for (int lane = 0; lane < 32; lane++) {
                int[] p = DmmaModel.hardwareA(lane); // where the mma takes it from
                int i = row0 + t.tileRow(warp, mi) + p[0];
                assertEquals(1000 * i + k0 + kk + p[1], f[lane], "A fragment, lane " + lane);
              }
            }
            for (int ni = 0; ni < t.nTiles(); ni++) {
              double[] f = DmmaModel.bFragment(t, shared.bs[st], warp, ni, kk,
                  DmmaLayout.KERNEL);
              for (int lane = 0; lane < 32; lane++) {
                int[] p = DmmaModel.hardwareB(lane);
                int j = col0 + t.tileCol(warp, ni) + p[1];
                assertEquals(1000 * (k0 + kk + p[0]) + j, f[lane], "B fragment, lane " + lane);
              }
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tilings")
  void staging_fillsEveryTileSlotOnce_neverThePadding_with16ByteAlignedChunks(Case c) {
    DmmaTiling t = c.tiling();
    int aStage = t.tile() * t.aStride();
    int[] aWrites = new int[aStage];
    int[] bWrites = new int[t.ktile() * t.bStride()];
    for (int k = 0; k < t.threads() * t.chunksPerThread(); k++) {
      int as = t.aChunkRow(k) * t.aStride() + t.aChunkK(k);
      int bs = t.bChunkK(k) * t.bStride() + t.bChunkCol(k);
      assertEquals(0, as % 2, "A chunk " + k + " not 16-byte aligned in shared memory");
      assertEquals(0, bs % 2, "B chunk " + k + " not 16-byte aligned in shared memory");
      aWrites[as]++;
      aWrites[as + 1]++;
      bWrites[bs]++;
      bWrites[bs + 1]++;
    }
    for (int s = 0; s < aWrites.length; s++) {
      assertEquals(s % t.aStride() < t.ktile() ? 1 : 0, aWrites[s], "As " + s);
    }
    for (int s = 0; s < bWrites.length; s++) {
      assertEquals(s % t.bStride() < t.tile() ? 1 : 0, bWrites[s], "Bs " + s);
    }
    // Where the B stages follow the A stages in one allocation, they start 16-byte aligned.
    assertEquals(0, t.stages() * aStage % 2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tilings")
  void fragmentReads_everyWarpsHalfWarps_hit32DistinctBanks(Case c) {
    DmmaTiling t = c.tiling();
    // The padding's purpose: 16 lanes' doubles (2 banks each) on 32 banks, for every warp's
    // every m-tile and n-tile.
    for (int warp = 0; warp < t.warps(); warp++) {
      for (int tt = 0; tt < Math.max(t.mTiles(), t.nTiles()); tt++) {
        for (int kk = 0; kk < t.ktile(); kk += DmmaLayout.K) {
          for (int half = 0; half < 2; half++) {
            boolean[] aBanks = new boolean[32];
            boolean[] bBanks = new boolean[32];
            for (int lane = 16 * half; lane < 16 * half + 16; lane++) {
              int a = (t.tileRow(warp, tt % t.mTiles()) + DmmaLayout.aRow(lane)) * t.aStride()
                  + kk + DmmaLayout.aK(lane);
              int b = (kk + DmmaLayout.bK(lane)) * t.bStride()
                  + t.tileCol(warp, tt % t.nTiles())
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
}
