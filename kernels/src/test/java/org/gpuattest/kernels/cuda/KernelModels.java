package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongSupplier;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * Java models of the canonical-v1 kernels in {@code kernels/src/main/cuda}: each loops over
 * the grid and the block's threads and computes what each CUDA thread computes, with the same
 * index formulas, so a fake {@link CudaDriver} can run the CUDA backend's launches without a
 * GPU. Pointer arguments are {@link ByteBuffer}s (position 0 is the pointer, capacity the bytes
 * to the end of the allocation), 32-bit arguments {@link Integer}s and 64-bit ones
 * {@link Long}s, in the kernel's parameter order. An access outside an allocation throws
 * {@link IndexOutOfBoundsException}, as the GPU would fault.
 */
public final class KernelModels {
  private KernelModels() {}

  private static final int TILE = KernelGeometry.MATMUL_TILE;
  private static final int SIDE = KernelGeometry.MATMUL_THREADS_PER_SIDE;
  private static final int KTILE = 16; // MATMUL_KTILE in canonical_v1.cuh
  private static final int MICRO = 4; // MATMUL_MICRO

  /**
   * Runs kernel {@code entry} over {@code grid} x {@code block}. For the SM monitor of
   * matmul_ffma, matmul_dmma and matmul_dmma_wide ({@link DmmaModel}), block (bx, by) runs on SM
   * (by * grid.x + bx) % smCount and reads {@code clockNanos} at its start and end, as
   * %globaltimer.
   *
   * @throws IllegalArgumentException on an unknown entry, or arguments or shapes the kernel
   *     does not take
   */
  public static void run(String entry, Dim3 grid, Dim3 block, Object[] args, int smCount,
      LongSupplier clockNanos) {
    switch (entry) {
      case "philox_fill" -> philoxFill(grid, block, args);
      case "matmul_ffma" -> matmul(grid, block, args, smCount, clockNanos);
      case "matmul_ffma_unmonitored" -> matmul(grid, block, unmonitored(args), smCount,
          clockNanos);
      case "matmul_dmma", "matmul_dmma_unmonitored", "matmul_dmma_wide",
          "matmul_dmma_wide_unmonitored" -> DmmaModel.run(entry, grid, block, args, smCount,
          clockNanos);
      case "sha256_rows" -> sha256Rows(grid, block, args);
      case "merkle_root" -> merkleRoot(grid, block, args);
      case "memory_pass", "memory_leaves", "memory_vector_roots" ->
          MemoryPassModel.run(entry, grid, block, args);
      default -> throw new IllegalArgumentException("no kernel named '" + entry + "'");
    }
  }

  // ---- philox_fill.cu ---------------------------------------------------------------------

  private static void philoxFill(Dim3 grid, Dim3 block, Object[] args) {
    check("philox_fill", args, ByteBuffer.class, Long.class, Integer.class, Integer.class,
        Integer.class, Integer.class, Integer.class);
    oneDimensional("philox_fill", grid, block);
    ByteBuffer out = le(args[0]);
    long pairs = (Long) args[1];
    int k0 = (Integer) args[2];
    int k1 = (Integer) args[3];
    int c1 = (Integer) args[4];
    int c2 = (Integer) args[5];
    int c3 = (Integer) args[6];
    int[] x = new int[4];
    for (long bx = 0; bx < grid.x(); bx++) {
      for (int tx = 0; tx < block.x(); tx++) {
        long p = bx * block.x() + tx;
        if (Long.compareUnsigned(p, pairs) >= 0) {
          continue;
        }
        philox(x, (int) p, c1, c2, c3, k0, k1);
        double even = element((x[1] & 0xFFFFFFFFL) << 32 | (x[0] & 0xFFFFFFFFL));
        double odd = element((x[3] & 0xFFFFFFFFL) << 32 | (x[2] & 0xFFFFFFFFL));
        out.putDouble(Math.toIntExact(16 * p), even);
        out.putDouble(Math.toIntExact(16 * p + 8), odd);
      }
    }
  }

  /** philox4x32_10 of canonical_v1.cuh: x = (c.x, c.y, c.z, c.w) after ten rounds. */
  static void philox(int[] x, int c0, int c1, int c2, int c3, int k0, int k1) {
    for (int round = 0; round < 10; round++) {
      long p0 = 0xD2511F53L * (c0 & 0xFFFFFFFFL);
      long p1 = 0xCD9E8D57L * (c2 & 0xFFFFFFFFL);
      int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
      int n1 = (int) p1;
      int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
      int n3 = (int) p0;
      c0 = n0;
      c1 = n1;
      c2 = n2;
      c3 = n3;
      k0 += 0x9E3779B9;
      k1 += 0xBB67AE85;
    }
    x[0] = c0;
    x[1] = c1;
    x[2] = c2;
    x[3] = c3;
  }

  /** canonical_element: (u >> 11) * 2^-52 - 1.0, each step exact. */
  static double element(long u) {
    return (double) (u >>> 11) * 0x1.0p-52 - 1.0;
  }

  // ---- matmul_ffma.cu ---------------------------------------------------------------------

  /** Flat index into C of thread (tx, ty)'s micro-tile element (r, c) in block (bx, by). */
  static long matmulElement(int n, int bx, int by, int tx, int ty, int r, int c) {
    long row = (long) by * TILE + (ty + SIDE * r);
    long col = (long) bx * TILE + (tx + SIDE * c);
    return row * n + col;
  }

  /** matmul_ffma_unmonitored's (A, B, C, n), run as matmul_ffma with a monitor nobody reads. */
  private static Object[] unmonitored(Object[] args) {
    check("matmul_ffma_unmonitored", args, ByteBuffer.class, ByteBuffer.class,
        ByteBuffer.class, Integer.class);
    int slots = KernelGeometry.MONITOR_SLOTS * Long.BYTES;
    return new Object[] {args[0], args[1], args[2], args[3],
        ByteBuffer.allocate(slots).order(java.nio.ByteOrder.LITTLE_ENDIAN),
        ByteBuffer.allocate(slots).order(java.nio.ByteOrder.LITTLE_ENDIAN)};
  }

  private static void matmul(Dim3 grid, Dim3 block, Object[] args, int smCount,
      LongSupplier clockNanos) {
    check("matmul_ffma", args, ByteBuffer.class, ByteBuffer.class, ByteBuffer.class,
        Integer.class, ByteBuffer.class, ByteBuffer.class);
    if (!block.equals(KernelGeometry.matmulBlock()) || grid.z() != 1) {
      throw new IllegalArgumentException(
          "matmul_ffma runs blocks of 16 x 16 threads on a 2-D grid, got " + grid + " x " + block);
    }
    int n = (Integer) args[3];
    if (n <= 0 || n % TILE != 0) {
      throw new IllegalArgumentException("matmul_ffma needs n a positive multiple of 64, got " + n);
    }
    if (smCount <= 0) {
      throw new IllegalArgumentException("smCount must be positive, got " + smCount);
    }
    double[] a = doubles(le(args[0]), (long) n * n);
    double[] b = doubles(le(args[1]), (long) n * n);
    ByteBuffer cOut = le(args[2]);
    ByteBuffer smBlocks = le(args[4]);
    ByteBuffer smBusy = le(args[5]);

    double[][] as = new double[TILE][KTILE];
    double[][] bs = new double[KTILE][TILE];
    double[][] acc = new double[SIDE * SIDE][MICRO * MICRO];
    for (int by = 0; by < grid.y(); by++) {
      for (int bx = 0; bx < grid.x(); bx++) {
        long start = clockNanos.getAsLong();
        int row0 = by * TILE;
        int col0 = bx * TILE;
        for (double[] t : acc) {
          java.util.Arrays.fill(t, +0.0);
        }
        for (int k0 = 0; k0 < n; k0 += KTILE) {
          // The cooperative loads: thread tid's load l is tile index tid + 256 l.
          for (int tid = 0; tid < SIDE * SIDE; tid++) {
            for (int l = 0; l < 4; l++) {
              int ia = tid + 256 * l;
              as[ia / KTILE][ia % KTILE] = a[(row0 + ia / KTILE) * n + k0 + ia % KTILE];
              int ib = tid + 256 * l;
              bs[ib / TILE][ib % TILE] = b[(k0 + ib / TILE) * n + col0 + ib % TILE];
            }
          }
          // __syncthreads, then each thread's 16 k-steps on its 4 x 4 accumulators.
          for (int ty = 0; ty < SIDE; ty++) {
            for (int tx = 0; tx < SIDE; tx++) {
              double[] t = acc[ty * SIDE + tx];
              for (int kk = 0; kk < KTILE; kk++) {
                for (int r = 0; r < MICRO; r++) {
                  double ar = as[ty + SIDE * r][kk];
                  for (int c = 0; c < MICRO; c++) {
                    t[r * MICRO + c] = Math.fma(ar, bs[kk][tx + SIDE * c], t[r * MICRO + c]);
                  }
                }
              }
            }
          }
        }
        for (int ty = 0; ty < SIDE; ty++) {
          for (int tx = 0; tx < SIDE; tx++) {
            for (int r = 0; r < MICRO; r++) {
              for (int c = 0; c < MICRO; c++) {
                long e = matmulElement(n, bx, by, tx, ty, r, c);
                cOut.putDouble(Math.toIntExact(8 * e), acc[ty * SIDE + tx][r * MICRO + c]);
              }
            }
          }
        }
        long end = clockNanos.getAsLong();
        int slot = (int) (((long) by * grid.x() + bx) % smCount) % KernelGeometry.MONITOR_SLOTS;
        smBlocks.putLong(8 * slot, smBlocks.getLong(8 * slot) + 1);
        smBusy.putLong(8 * slot, smBusy.getLong(8 * slot) + (end - start));
      }
    }
  }

  // ---- sha256_merkle.cu -------------------------------------------------------------------

  private static void sha256Rows(Dim3 grid, Dim3 block, Object[] args) {
    check("sha256_rows", args, ByteBuffer.class, Integer.class, ByteBuffer.class);
    oneDimensional("sha256_rows", grid, block);
    ByteBuffer c = le(args[0]);
    int n = (Integer) args[1];
    ByteBuffer leaves = le(args[2]);
    int[] w = new int[16];
    for (int bx = 0; bx < grid.x(); bx++) {
      for (int tx = 0; tx < block.x(); tx++) {
        int i = bx * block.x() + tx;
        if (i >= n) {
          continue;
        }
        long row = 8L * i * n;
        int[] h = Sha256Model.init();
        int prev = 0; // R[-1]: its top byte is the 0x00 leaf prefix
        for (int blk = 0; blk < n / 8; blk++) {
          for (int v = 0; v < 4; v++) {
            int at = Math.toIntExact(row + 16L * (4 * blk + v)); // one 16-byte load
            int qx = c.getInt(at);
            int qy = c.getInt(at + 4);
            int qz = c.getInt(at + 8);
            int qw = c.getInt(at + 12);
            w[4 * v] = Sha256Model.shiftedWord(prev, qx);
            w[4 * v + 1] = Sha256Model.shiftedWord(qx, qy);
            w[4 * v + 2] = Sha256Model.shiftedWord(qy, qz);
            w[4 * v + 3] = Sha256Model.shiftedWord(qz, qw);
            prev = qw;
          }
          Sha256Model.compress(h, w);
        }
        w[0] = Sha256Model.shiftedWord(prev, 0x80);
        java.util.Arrays.fill(w, 1, 14, 0);
        long bits = 8L * (8L * n + 1);
        w[14] = (int) (bits >>> 32);
        w[15] = (int) bits;
        Sha256Model.compress(h, w);
        for (int q = 0; q < 8; q++) {
          leaves.putInt(32 * i + 4 * q, Sha256Model.digestWordLe(h[q]));
        }
      }
    }
  }

  private static void merkleRoot(Dim3 grid, Dim3 block, Object[] args) {
    check("merkle_root", args, ByteBuffer.class, ByteBuffer.class, Integer.class,
        ByteBuffer.class);
    oneDimensional("merkle_root", grid, block);
    if (grid.x() != 1) {
      throw new IllegalArgumentException("merkle_root runs one block, got a grid of " + grid);
    }
    ByteBuffer leaves = le(args[0]);
    ByteBuffer scratch = le(args[1]);
    int count = (Integer) args[2];
    ByteBuffer root = le(args[3]);
    if (count < 1) {
      return;
    }
    int half = (count + 1) / 2;
    int upper = 32 * half; // byte offset of the upper half of scratch
    ByteBuffer in = leaves;
    int inOff = 0;
    int m = count;
    for (int level = 0; m > 1; level++) {
      int next = (m + 1) / 2;
      int outOff = (level & 1) == 0 ? 0 : upper;
      for (int tid = 0; tid < block.x(); tid++) {
        for (int i = tid; i < next; i += block.x()) {
          if (2 * i + 1 < m) {
            nodeHash(in, inOff + 64 * i, scratch, outOff + 32 * i);
          } else {
            for (int q = 0; q < 8; q++) {
              scratch.putInt(outOff + 32 * i + 4 * q, in.getInt(inOff + 64 * i + 4 * q));
            }
          }
        }
      }
      // __syncthreads: the next level reads what this one wrote.
      in = scratch;
      inOff = outOff;
      m = next;
    }
    for (int q = 0; q < 8; q++) {
      root.putInt(4 * q, in.getInt(inOff + 4 * q));
    }
  }

  /** node_hash: SHA-256(0x01 || the 64 bytes at in[at..]) into out[to..to+32). */
  private static void nodeHash(ByteBuffer in, int at, ByteBuffer out, int to) {
    int[] h = Sha256Model.init();
    int[] w = new int[16];
    int prev = 0x01000000; // top byte 0x01, the node prefix
    for (int q = 0; q < 16; q++) {
      int cur = in.getInt(at + 4 * q);
      w[q] = Sha256Model.shiftedWord(prev, cur);
      prev = cur;
    }
    Sha256Model.compress(h, w);
    w[0] = Sha256Model.shiftedWord(prev, 0x80);
    java.util.Arrays.fill(w, 1, 15, 0);
    w[15] = 8 * 65;
    Sha256Model.compress(h, w);
    for (int q = 0; q < 8; q++) {
      out.putInt(to + 4 * q, Sha256Model.digestWordLe(h[q]));
    }
  }

  // ---- arguments --------------------------------------------------------------------------

  static void check(String entry, Object[] args, Class<?>... types) {
    if (args == null || args.length != types.length) {
      throw new IllegalArgumentException(entry + " takes " + types.length + " arguments, got "
          + (args == null ? "none" : args.length));
    }
    for (int k = 0; k < types.length; k++) {
      if (!types[k].isInstance(args[k])) {
        throw new IllegalArgumentException(entry + " argument " + k + " must be a "
            + types[k].getSimpleName() + ", got "
            + (args[k] == null ? "null" : args[k].getClass().getSimpleName()));
      }
    }
  }

  private static void oneDimensional(String entry, Dim3 grid, Dim3 block) {
    if (grid.y() != 1 || grid.z() != 1 || block.y() != 1 || block.z() != 1
        || grid.x() < 1 || block.x() < 1) {
      throw new IllegalArgumentException(
          entry + " runs a 1-D grid of 1-D blocks, got " + grid + " x " + block);
    }
  }

  /** The pointer's view: little-endian, sharing the allocation's bytes. */
  private static ByteBuffer le(Object pointer) {
    return ((ByteBuffer) pointer).duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static double[] doubles(ByteBuffer buffer, long count) {
    double[] out = new double[Math.toIntExact(count)];
    for (int e = 0; e < out.length; e++) {
      out[e] = buffer.getDouble(8 * e);
    }
    return out;
  }
}
