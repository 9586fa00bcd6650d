package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * Java model of kernels/src/main/cuda/matmul_dmma.cu: per block, the double-buffered k-tiles in
 * an emulated shared memory with the kernel's padded strides, and per warp and mma tile the
 * 32 lanes' fragments loaded by {@link DmmaLayout}'s index helpers (the header's, one to one).
 * The mma itself ({@link #mma}) is modelled as the hardware does it: it gathers the 8 x 4 A and
 * 4 x 8 B tiles from the lanes by the PTX fragment layout of m8n8k4 .f64 and computes each
 * element of D as the fma chain c -> k0 -> k1 -> k2 -> k3, which is what the mma was measured
 * to do on an H100 (docs/protocol.md section 1.5). If this model equals the canonical chain,
 * so does the kernel, on a GPU where that measured fact holds.
 */
final class DmmaModel {
  private DmmaModel() {}

  private static final int TILE = DmmaLayout.TILE;
  private static final int KTILE = DmmaLayout.KTILE;
  private static final int TILES_PER_WARP = DmmaLayout.M_TILES * DmmaLayout.N_TILES;

  /** Runs matmul_dmma or matmul_dmma_unmonitored, as {@link KernelModels#run} takes them. */
  static void run(String entry, Dim3 grid, Dim3 block, Object[] args, int smCount,
      LongSupplier clockNanos) {
    boolean monitored = entry.equals("matmul_dmma");
    if (monitored) {
      KernelModels.check(entry, args, ByteBuffer.class, ByteBuffer.class, ByteBuffer.class,
          Integer.class, ByteBuffer.class, ByteBuffer.class);
    } else {
      KernelModels.check(entry, args, ByteBuffer.class, ByteBuffer.class, ByteBuffer.class,
          Integer.class);
    }
    int n = (Integer) args[3];
    if (!block.equals(KernelGeometry.dmmaBlock()) || !grid.equals(KernelGeometry.dmmaGrid(n))) {
      throw new IllegalArgumentException(entry + " runs dmmaGrid(n) x dmmaBlock() = "
          + KernelGeometry.dmmaGrid(n) + " x " + KernelGeometry.dmmaBlock() + ", got " + grid
          + " x " + block);
    }
    if (n <= 0 || n % TILE != 0) {
      throw new IllegalArgumentException(entry + " needs n a positive multiple of 64, got " + n);
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
        block(a, b, c, n, bx, by, DmmaLayout.KERNEL);
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
   * C = A x B (row-major, n x n) by the kernel's blocks, with {@code lanes} as the kernel's
   * lane mapping: {@link DmmaLayout#KERNEL} gives the kernel, a wrong one a broken kernel.
   */
  static void multiply(double[] a, double[] b, ByteBuffer c, int n, DmmaLayout.Lanes lanes) {
    for (int by = 0; by < n / TILE; by++) {
      for (int bx = 0; bx < n / TILE; bx++) {
        block(a, b, le(c), n, bx, by, lanes);
      }
    }
  }

  /** One block (bx, by): all 8 warps, k-tile by k-tile, as the kernel's loop runs them. */
  private static void block(double[] a, double[] b, ByteBuffer c, int n, int bx, int by,
      DmmaLayout.Lanes lanes) {
    int row0 = by * TILE;
    int col0 = bx * TILE;
    Shared shared = new Shared();
    // acc[warp * 8 + mi * 4 + ni][lane][e], every one from +0.0 (section 1.5).
    double[][][] acc = new double[DmmaLayout.WARPS * TILES_PER_WARP][32][2];
    int tiles = n / KTILE;
    stage(shared.as[0], shared.bs[0], a, b, n, row0, col0, 0);
    for (int t = 0; t < tiles; t++) {
      int buf = t & 1;
      if (t + 1 < tiles) {
        stage(shared.as[buf ^ 1], shared.bs[buf ^ 1], a, b, n, row0, col0, (t + 1) * KTILE);
      }
      // cp.async.wait_group 1 and __syncthreads: k-tile t is in buffer buf.
      for (int warp = 0; warp < DmmaLayout.WARPS; warp++) {
        for (int kk = 0; kk < KTILE; kk += DmmaLayout.K) {
          double[][] af = new double[DmmaLayout.M_TILES][];
          double[][] bf = new double[DmmaLayout.N_TILES][];
          for (int mi = 0; mi < DmmaLayout.M_TILES; mi++) {
            af[mi] = aFragment(shared.as[buf], warp, mi, kk, lanes);
          }
          for (int ni = 0; ni < DmmaLayout.N_TILES; ni++) {
            bf[ni] = bFragment(shared.bs[buf], warp, ni, kk, lanes);
          }
          for (int mi = 0; mi < DmmaLayout.M_TILES; mi++) {
            for (int ni = 0; ni < DmmaLayout.N_TILES; ni++) {
              mma(af[mi], bf[ni], acc[warp * TILES_PER_WARP + mi * DmmaLayout.N_TILES + ni]);
            }
          }
        }
      }
      // __syncthreads: the next iteration's copies may overwrite buffer buf.
    }
    for (int warp = 0; warp < DmmaLayout.WARPS; warp++) {
      for (int mi = 0; mi < DmmaLayout.M_TILES; mi++) {
        for (int ni = 0; ni < DmmaLayout.N_TILES; ni++) {
          double[][] tile = acc[warp * TILES_PER_WARP + mi * DmmaLayout.N_TILES + ni];
          for (int lane = 0; lane < 32; lane++) {
            for (int e = 0; e < 2; e++) {
              long at = cElement(n, bx, by, warp, mi, ni, lane, e, lanes);
              c.putDouble(Math.toIntExact(8 * at), tile[lane][e]);
            }
          }
        }
      }
    }
  }

  /**
   * The block's shared memory: two buffers of the A k-tile (64 rows of stride 20) and the B
   * k-tile (16 rows of stride 68). Filled with NaN, so a read of padding or of a slot no copy
   * wrote turns the result into NaN.
   */
  static final class Shared {
    final double[][] as = new double[2][TILE * DmmaLayout.A_STRIDE];
    final double[][] bs = new double[2][KTILE * DmmaLayout.B_STRIDE];

    Shared() {
      for (int buf = 0; buf < 2; buf++) {
        Arrays.fill(as[buf], Double.NaN);
        Arrays.fill(bs[buf], Double.NaN);
      }
    }
  }

  /** load_k_tile: every thread's cp.async chunks of k-tile k0 (16 bytes = 2 doubles each). */
  static void stage(double[] as, double[] bs, double[] a, double[] b, int n, int row0, int col0,
      int k0) {
    for (int tid = 0; tid < DmmaLayout.THREADS; tid++) {
      for (int l = 0; l < DmmaLayout.CHUNKS_PER_THREAD; l++) {
        int c = tid + DmmaLayout.THREADS * l;
        int ar = DmmaLayout.aChunkRow(c);
        int ak = DmmaLayout.aChunkK(c);
        int bk = DmmaLayout.bChunkK(c);
        int bc = DmmaLayout.bChunkCol(c);
        for (int h = 0; h < 2; h++) {
          as[ar * DmmaLayout.A_STRIDE + ak + h] = a[(row0 + ar) * n + k0 + ak + h];
          bs[bk * DmmaLayout.B_STRIDE + bc + h] = b[(k0 + bk) * n + col0 + bc + h];
        }
      }
    }
  }

  /** The 32 lanes' A fragment of warp {@code warp}'s m-tile mi at k-step kk of a k-tile. */
  static double[] aFragment(double[] as, int warp, int mi, int kk, DmmaLayout.Lanes lanes) {
    double[] f = new double[32];
    for (int lane = 0; lane < 32; lane++) {
      f[lane] = as[(DmmaLayout.tileRow(warp, mi) + lanes.aRow(lane)) * DmmaLayout.A_STRIDE + kk
          + lanes.aK(lane)];
    }
    return f;
  }

  /** The 32 lanes' B fragment of warp {@code warp}'s n-tile ni at k-step kk of a k-tile. */
  static double[] bFragment(double[] bs, int warp, int ni, int kk, DmmaLayout.Lanes lanes) {
    double[] f = new double[32];
    for (int lane = 0; lane < 32; lane++) {
      f[lane] = bs[(kk + lanes.bK(lane)) * DmmaLayout.B_STRIDE + DmmaLayout.tileCol(warp, ni)
          + lanes.bCol(lane)];
    }
    return f;
  }

  /** Flat index into C of lane's accumulator e of warp's mma tile (mi, ni) in block (bx, by). */
  static long cElement(int n, int bx, int by, int warp, int mi, int ni, int lane, int e,
      DmmaLayout.Lanes lanes) {
    long row = (long) by * TILE + DmmaLayout.tileRow(warp, mi) + lanes.cRow(lane);
    long col = (long) bx * TILE + DmmaLayout.tileCol(warp, ni) + lanes.cCol(lane, e);
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
