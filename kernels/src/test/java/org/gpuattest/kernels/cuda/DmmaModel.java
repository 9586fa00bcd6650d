package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * Java model of the tensor-core product kernels, kernels/src/main/cuda/matmul_dmma.cu and
 * matmul_dmma_wide.cu, each by its {@link DmmaTiling}: per block, the k-tiles staged into a
 * ring of stages in an emulated shared memory with the kernel's padded strides, in the
 * kernel's order (k-tiles 0 .. stages - 2 first; then, before k-tile t is multiplied, k-tile
 * t + stages - 1 into the stage of t - 1), and per warp and mma tile the 32 lanes' fragments
 * loaded by the layout's index helpers (the headers', one to one). The mma itself
 * ({@link #mma}) is modelled as the hardware does it: it gathers the 8 x 4 A and 4 x 8 B tiles
 * from the lanes by the PTX fragment layout of m8n8k4 .f64 and computes each element of D as
 * the fma chain c -> k0 -> k1 -> k2 -> k3, which is what the mma was measured to do on an
 * H100 (docs/protocol.md section 1.5). If this model equals the canonical chain, so does the
 * kernel, on a GPU where that measured fact holds.
 */
final class DmmaModel {
  private DmmaModel() {}

  /**
   * The order the block walks k in: the k-steps (multiples of 4) of a k-tile in
   * {@code kSteps}' order, and the k-tiles ascending or, mutated, descending. The kernels'
   * is {@link #CANONICAL}; tests pass others to show that the bits notice.
   */
  record Order(int[] kSteps, boolean tilesDescending) {
    static final Order CANONICAL = new Order(new int[] {0, 1, 2, 3}, false);
  }

  /** The tiling of an entry: matmul_dmma[_unmonitored] or matmul_dmma_wide[_unmonitored]. */
  static DmmaTiling tilingOf(String entry) {
    return entry.startsWith(DmmaWideLayout.TILING.entry()) ? DmmaWideLayout.TILING
        : DmmaLayout.TILING;
  }

  /** Runs one of the tensor-core entries, as {@link KernelModels#run} takes them. */
  static void run(String entry, Dim3 grid, Dim3 block, Object[] args, int smCount,
      LongSupplier clockNanos) {
    DmmaTiling tiling = tilingOf(entry);
    boolean monitored = entry.equals(tiling.entry());
    if (monitored) {
      KernelModels.check(entry, args, ByteBuffer.class, ByteBuffer.class, ByteBuffer.class,
          Integer.class, ByteBuffer.class, ByteBuffer.class);
    } else {
      KernelModels.check(entry, args, ByteBuffer.class, ByteBuffer.class, ByteBuffer.class,
          Integer.class);
    }
    int n = (Integer) args[3];
    if (n <= 0 || n % tiling.tile() != 0) {
      throw new IllegalArgumentException(entry + " needs n a positive multiple of "
          + tiling.tile() + ", got " + n);
    }
    if (!block.equals(KernelGeometry.dmmaBlock()) || !grid.equals(tiling.grid(n))) {
      throw new IllegalArgumentException(entry + " runs " + tiling.grid(n) + " x "
          + KernelGeometry.dmmaBlock() + " at n=" + n + ", got " + grid + " x " + block);
    }
    if (smCount <= 0) {
      throw new IllegalArgumentException("smCount must be positive, got " + smCount);
    }
    double[] a = doubles(args[0], n);
    double[] b = doubles(args[1], n);
    ByteBuffer c = le(args[2]);
    ByteBuffer smBlocks = monitored ? le(args[4]) : null;
    ByteBuffer smBusy = monitored ? le(args[5]) : null;
    for (int by = 0; by < grid.y(); by++) {
      for (int bx = 0; bx < grid.x(); bx++) {
        long start = clockNanos.getAsLong();
        block(tiling, a, b, c, n, bx, by, DmmaLayout.KERNEL, Order.CANONICAL);
        long end = clockNanos.getAsLong();
        if (monitored) {
          int slot = (int) (((long) by * grid.x() + bx) % smCount) % KernelGeometry.MONITOR_SLOTS;
          smBlocks.putLong(8 * slot, smBlocks.getLong(8 * slot) + 1);
          smBusy.putLong(8 * slot, smBusy.getLong(8 * slot) + (end - start));
        }
      }
    }
  }

  /**
   * C = A x B (row-major, n x n) by the blocks of {@code tiling}, with {@code lanes} as the
   * kernel's lane mapping and a k order: {@link DmmaLayout#KERNEL} and {@link Order#CANONICAL}
   * give the kernel, others a broken kernel.
   */
  static void multiply(DmmaTiling tiling, double[] a, double[] b, ByteBuffer c, int n,
      DmmaLayout.Lanes lanes, Order order) {
    for (int by = 0; by < n / tiling.tile(); by++) {
      for (int bx = 0; bx < n / tiling.tile(); bx++) {
        block(tiling, a, b, le(c), n, bx, by, lanes, order);
      }
    }
  }

  /** One block (bx, by): all warps, k-tile by k-tile, as the kernel's loop runs them. */
  private static void block(DmmaTiling tiling, double[] a, double[] b, ByteBuffer c, int n,
      int bx, int by, DmmaLayout.Lanes lanes, Order order) {
    int row0 = by * tiling.tile();
    int col0 = bx * tiling.tile();
    int tilesPerWarp = tiling.mTiles() * tiling.nTiles();
    Shared shared = new Shared(tiling);
    // acc[warp * tilesPerWarp + mi * nTiles + ni][lane][e], every one from +0.0 (section 1.5).
    double[][][] acc = new double[tiling.warps() * tilesPerWarp][32][2];
    int tiles = n / tiling.ktile();
    // The k-tile the loop's t-th step multiplies (the kernel's: t itself).
    java.util.function.IntUnaryOperator kTile = t -> order.tilesDescending() ? tiles - 1 - t : t;
    for (int s = 0; s < tiling.stages() - 1 && s < tiles; s++) { // the prologue
      int st = tiling.stage(s);
      stage(tiling, shared.as[st], shared.bs[st], a, b, n, row0, col0,
          kTile.applyAsInt(s) * tiling.ktile());
    }
    for (int t = 0; t < tiles; t++) {
      // cp.async.wait_group and __syncthreads: k-tile t is in its stage, and every warp is
      // done with k-tile t - 1, whose stage the next copy takes.
      int next = t + tiling.stages() - 1;
      if (next < tiles) {
        int st = tiling.stage(next);
        stage(tiling, shared.as[st], shared.bs[st], a, b, n, row0, col0,
            kTile.applyAsInt(next) * tiling.ktile());
      }
      int st = tiling.stage(t);
      for (int warp = 0; warp < tiling.warps(); warp++) {
        for (int step : order.kSteps()) {
          int kk = DmmaLayout.K * step;
          double[][] af = new double[tiling.mTiles()][];
          double[][] bf = new double[tiling.nTiles()][];
          for (int mi = 0; mi < tiling.mTiles(); mi++) {
            af[mi] = aFragment(tiling, shared.as[st], warp, mi, kk, lanes);
          }
          for (int ni = 0; ni < tiling.nTiles(); ni++) {
            bf[ni] = bFragment(tiling, shared.bs[st], warp, ni, kk, lanes);
          }
          for (int mi = 0; mi < tiling.mTiles(); mi++) {
            for (int ni = 0; ni < tiling.nTiles(); ni++) {
              mma(af[mi], bf[ni], acc[warp * tilesPerWarp + mi * tiling.nTiles() + ni]);
            }
          }
        }
      }
    }
    for (int warp = 0; warp < tiling.warps(); warp++) {
      for (int mi = 0; mi < tiling.mTiles(); mi++) {
        for (int ni = 0; ni < tiling.nTiles(); ni++) {
          double[][] tile = acc[warp * tilesPerWarp + mi * tiling.nTiles() + ni];
          for (int lane = 0; lane < 32; lane++) {
            for (int e = 0; e < 2; e++) {
              long at = cElement(tiling, n, bx, by, warp, mi, ni, lane, e, lanes);
              c.putDouble(Math.toIntExact(8 * at), tile[lane][e]);
            }
          }
        }
      }
    }
  }

  /**
   * The block's shared memory: one A k-tile (tile rows at the A stride) and one B k-tile
   * (ktile rows at the B stride) per stage. Filled with NaN, so a read of padding or of a slot
   * no copy wrote turns the result into NaN.
   */
  static final class Shared {
    final double[][] as;
    final double[][] bs;

    /** matmul_dmma's two buffers. */
    Shared() {
      this(DmmaLayout.TILING);
    }

    Shared(DmmaTiling tiling) {
      as = new double[tiling.stages()][tiling.tile() * tiling.aStride()];
      bs = new double[tiling.stages()][tiling.ktile() * tiling.bStride()];
      for (int s = 0; s < tiling.stages(); s++) {
        Arrays.fill(as[s], Double.NaN);
        Arrays.fill(bs[s], Double.NaN);
      }
    }
  }

  /** load_k_tile: every thread's cp.async chunks of k-tile k0 (16 bytes = 2 doubles each). */
  static void stage(DmmaTiling tiling, double[] as, double[] bs, double[] a, double[] b, int n,
      int row0, int col0, int k0) {
    for (int tid = 0; tid < tiling.threads(); tid++) {
      for (int l = 0; l < tiling.chunksPerThread(); l++) {
        int c = tid + tiling.threads() * l;
        int ar = tiling.aChunkRow(c);
        int ak = tiling.aChunkK(c);
        int bk = tiling.bChunkK(c);
        int bc = tiling.bChunkCol(c);
        for (int h = 0; h < 2; h++) {
          as[ar * tiling.aStride() + ak + h] = a[(row0 + ar) * n + k0 + ak + h];
          bs[bk * tiling.bStride() + bc + h] = b[(k0 + bk) * n + col0 + bc + h];
        }
      }
    }
  }

  static double[] aFragment(double[] as, int warp, int mi, int kk, DmmaLayout.Lanes lanes) {
    return aFragment(DmmaLayout.TILING, as, warp, mi, kk, lanes);
  }

  /** The 32 lanes' A fragment of warp {@code warp}'s m-tile mi at k-step kk of a k-tile. */
  static double[] aFragment(DmmaTiling tiling, double[] as, int warp, int mi, int kk,
      DmmaLayout.Lanes lanes) {
    double[] f = new double[32];
    for (int lane = 0; lane < 32; lane++) {
      f[lane] = as[(tiling.tileRow(warp, mi) + lanes.aRow(lane)) * tiling.aStride() + kk
          + lanes.aK(lane)];
    }
    return f;
  }

  static double[] bFragment(double[] bs, int warp, int ni, int kk, DmmaLayout.Lanes lanes) {
    return bFragment(DmmaLayout.TILING, bs, warp, ni, kk, lanes);
  }

  /** The 32 lanes' B fragment of warp {@code warp}'s n-tile ni at k-step kk of a k-tile. */
  static double[] bFragment(DmmaTiling tiling, double[] bs, int warp, int ni, int kk,
      DmmaLayout.Lanes lanes) {
    double[] f = new double[32];
    for (int lane = 0; lane < 32; lane++) {
      f[lane] = bs[(kk + lanes.bK(lane)) * tiling.bStride() + tiling.tileCol(warp, ni)
          + lanes.bCol(lane)];
    }
    return f;
  }

  static long cElement(int n, int bx, int by, int warp, int mi, int ni, int lane, int e,
      DmmaLayout.Lanes lanes) {
    return cElement(DmmaLayout.TILING, n, bx, by, warp, mi, ni, lane, e, lanes);
  }

  /** Flat index into C of lane's accumulator e of warp's mma tile (mi, ni) in block (bx, by). */
  static long cElement(DmmaTiling tiling, int n, int bx, int by, int warp, int mi, int ni,
      int lane, int e, DmmaLayout.Lanes lanes) {
    long row = (long) by * tiling.tile() + tiling.tileRow(warp, mi) + lanes.cRow(lane);
    long col = (long) bx * tiling.tile() + tiling.tileCol(warp, ni) + lanes.cCol(lane, e);
    return row * n + col;
  }

  // ---- the hardware: mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 ----------------------

  /** Row and column of the A (8 x 4) element lane holds, by the PTX ISA's fragment layout. */
  static int[] hardwareA(int lane) {
    return new int[] {lane / 4, lane % 4};
  }

  /** Row (k) and column of the B (4 x 8) element lane holds. */
  static int[] hardwareB(int lane) {
    return new int[] {lane % 4, lane / 4};
  }

  /** Row and column of C/D (8 x 8) of lane's accumulator e (0 or 1). */
  static int[] hardwareC(int lane, int e) {
    return new int[] {lane / 4, 2 * (lane % 4) + e};
  }

  /**
   * One warp-wide mma: gathers A and B from the lanes' fragments, then for each lane's two
   * elements d = fma(a3, b3, fma(a2, b2, fma(a1, b1, fma(a0, b0, c)))), k ascending: the
   * chain measured on H100 (docs/protocol.md section 1.5). acc[lane][e] is c in, d out.
   */
  static void mma(double[] aFrag, double[] bFrag, double[][] acc) {
    double[][] am = new double[8][4];
    double[][] bm = new double[4][8];
    for (int lane = 0; lane < 32; lane++) {
      int[] pa = hardwareA(lane);
      am[pa[0]][pa[1]] = aFrag[lane];
      int[] pb = hardwareB(lane);
      bm[pb[0]][pb[1]] = bFrag[lane];
    }
    for (int lane = 0; lane < 32; lane++) {
      for (int e = 0; e < 2; e++) {
        int[] pc = hardwareC(lane, e);
        double d = acc[lane][e];
        for (int q = 0; q < DmmaLayout.K; q++) {
          d = Math.fma(am[pc[0]][q], bm[q][pc[1]], d);
        }
        acc[lane][e] = d;
      }
    }
  }

  private static ByteBuffer le(Object pointer) {
    return ((ByteBuffer) pointer).duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static double[] doubles(Object pointer, int n) {
    ByteBuffer buffer = le(pointer);
    double[] out = new double[n * n];
    for (int e = 0; e < out.length; e++) {
      out[e] = buffer.getDouble(8 * e);
    }
    return out;
  }
}
