package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * Java models of memory_pass.cu's kernels (docs/protocol.md §2.2) for the fake driver, each
 * computing what each CUDA thread computes with the same indices: memory_pass's thread owns row
 * 64 r + tid of product k and applies fma over j ascending from +0.0 (the kernel stages tiles
 * through shared memory, which changes no element: each is still that one thread's chain);
 * memory_leaves hashes one element; memory_vector_roots reduces one product's leaves in its own
 * scratch, as merkle_root does, and hashes the root as a leaf. The shipped PTX itself is checked
 * against the CPU on the PTX interpreter ({@code emu.MemoryPassPtxTest}).
 */
final class MemoryPassModel {
  private MemoryPassModel() {}

  static void run(String entry, Dim3 grid, Dim3 block, Object[] args) {
    switch (entry) {
      case "memory_pass" -> pass(grid, block, args);
      case "memory_leaves" -> leaves(grid, block, args);
      case "memory_vector_roots" -> vectorRoots(grid, block, args);
      default -> throw new IllegalArgumentException("no kernel named '" + entry + "'");
    }
  }

  private static ByteBuffer le(Object pointer) {
    return ((ByteBuffer) pointer).duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void pass(Dim3 grid, Dim3 block, Object[] args) {
    KernelModels.check("memory_pass", args, ByteBuffer.class, ByteBuffer.class,
        ByteBuffer.class, Integer.class);
    ByteBuffer kept = le(args[0]);
    ByteBuffer v = le(args[1]);
    ByteBuffer y = le(args[2]);
    int n = (Integer) args[3];
    if (block.x() != KernelGeometry.MEMORY_ROWS || grid.y() * KernelGeometry.MEMORY_ROWS != n) {
      throw new IllegalArgumentException("memory_pass: grid " + grid + " x " + block
          + " does not cover n = " + n);
    }
    for (int k = 0; k < grid.x(); k++) {
      for (int r = 0; r < grid.y(); r++) {
        for (int t = 0; t < block.x(); t++) {
          int i = r * KernelGeometry.MEMORY_ROWS + t;
          long row = 8L * ((long) k * n * n + (long) i * n);
          double acc = 0.0;
          for (int j = 0; j < n; j++) {
            acc = Math.fma(kept.getDouble(Math.toIntExact(row + 8L * j)), v.getDouble(8 * j),
                acc);
          }
          y.putDouble(Math.toIntExact(8L * ((long) k * n + i)), acc);
        }
      }
    }
  }

  private static void leaves(Dim3 grid, Dim3 block, Object[] args) {
    KernelModels.check("memory_leaves", args, ByteBuffer.class, Long.class, ByteBuffer.class);
    ByteBuffer y = le(args[0]);
    long count = (Long) args[1];
    ByteBuffer leaves = le(args[2]);
    int[] w = new int[16];
    for (long e = 0; e < (long) grid.x() * block.x(); e++) {
      if (e >= count) {
        continue;
      }
      int lo = y.getInt(Math.toIntExact(8 * e));
      int hi = y.getInt(Math.toIntExact(8 * e + 4));
      int[] h = Sha256Model.init();
      java.util.Arrays.fill(w, 0);
      w[0] = Sha256Model.shiftedWord(0, lo);
      w[1] = Sha256Model.shiftedWord(lo, hi);
      w[2] = Sha256Model.shiftedWord(hi, 0x80);
      w[15] = 8 * 9;
      Sha256Model.compress(h, w);
      for (int q = 0; q < 8; q++) {
        leaves.putInt(Math.toIntExact(32 * e + 4 * q), Sha256Model.digestWordLe(h[q]));
      }
    }
  }

  private static void vectorRoots(Dim3 grid, Dim3 block, Object[] args) {
    KernelModels.check("memory_vector_roots", args, ByteBuffer.class, ByteBuffer.class,
        Integer.class, ByteBuffer.class, ByteBuffer.class);
    ByteBuffer leaves = le(args[0]);
    ByteBuffer scratch = le(args[1]);
    int n = (Integer) args[2];
    ByteBuffer roots = le(args[3]);
    ByteBuffer rootLeaves = le(args[4]);
    for (int k = 0; k < grid.x(); k++) {
      ByteBuffer in = leaves.duplicate().position(32 * n * k).slice()
          .order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer mine = scratch.duplicate().position(32 * n * k).slice()
          .order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer root = roots.duplicate().position(32 * k).slice().order(ByteOrder.LITTLE_ENDIAN);
      // memory_vector_roots' levels are merkle_root's, in the product's own scratch
      KernelModels.run("merkle_root", Dim3.of(1), block, new Object[] {in, mine, n, root}, 1,
          () -> 0L);
      int[] h = Sha256Model.init();
      int[] w = new int[16];
      int prev = 0;
      for (int q = 0; q < 8; q++) {
        int cur = root.getInt(4 * q);
        w[q] = Sha256Model.shiftedWord(prev, cur);
        prev = cur;
      }
      w[8] = Sha256Model.shiftedWord(prev, 0x80);
      w[15] = 8 * 33;
      Sha256Model.compress(h, w);
      for (int q = 0; q < 8; q++) {
        rootLeaves.putInt(32 * k + 4 * q, Sha256Model.digestWordLe(h[q]));
      }
    }
  }
}
