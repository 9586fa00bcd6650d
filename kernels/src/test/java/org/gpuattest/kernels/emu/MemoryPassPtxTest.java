package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry;
import org.junit.jupiter.api.Test;

/**
 * The memory phase's PTX as shipped (ptx/memory_pass.ptx, and philox_fill and merkle_root for
 * the pass's vector and memory root), run on the PTX interpreter with its sanitizer, against
 * the CPU's definition of docs/protocol.md §2.2 ({@link MemoryPass}) bit for bit: v_p from
 * philox_fill with counter word 3 = 2, every element y_p(t)[i] of two kept products at n = 192
 * (three row blocks, six column tiles: the tile loop and the prefetch of the next tile), the
 * element leaves, each product's vector root and its leaf, and the memory root. Nothing here
 * has run on a GPU; the interpreter runs the PTX as a GPU would, instruction by instruction.
 */
class MemoryPassPtxTest {
  private static final int N = 192;
  private static final int KEPT = 2;
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);
  private final DeviceMemory memory = new DeviceMemory(64L << 20);
  private final EmulatedGpu gpu = EmulatedGpu.of(4, "8.0");

  private KernelEntry entry(String file, String name) throws Exception {
    return PtxModule.load(PtxModuleTest.shipped(file), 85, 80).entry(name);
  }

  private void run(KernelEntry e, Dim3 grid, Dim3 block, long... args) throws KernelFault {
    Launch.run(e, grid, block, 0, args, memory, gpu, 0, false);
  }

  private long doubles(double[] values) throws Exception {
    long a = memory.allocate(8L * values.length);
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(values);
    memory.write(a, b.array());
    return a;
  }

  private double[] readDoubles(long address, int count) {
    byte[] b = new byte[8 * count];
    memory.read(address, b);
    double[] out = new double[count];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
    return out;
  }

  private byte[][] readHashes(long address, int count) {
    byte[][] out = new byte[count][32];
    for (int i = 0; i < count; i++) {
      memory.read(address + 32L * i, out[i]);
    }
    return out;
  }

  @Test
  void memoryPass_shippedPtx_equalsTheCpuDefinitionBitForBit() throws Exception {
    byte[] seed = new byte[32];
    seed[0] = 7;
    byte[] previous = new byte[32];
    previous[5] = 3;
    PhiloxKey passKey = MemoryPass.key(seed, 1, 2, previous);

    // v_p on the GPU: philox_fill with counter (j >> 1, 0, 0, 2) under the pass key
    long v = memory.allocate(8L * N);
    run(entry("philox_fill.ptx", "philox_fill"), Dim3.of(1),
        KernelGeometry.fillBlock(), v, N / 2, passKey.k0() & 0xFFFFFFFFL,
        passKey.k1() & 0xFFFFFFFFL, 0, 0, 2);
    double[] expectedV = Operands.memoryVector(passKey, N);
    assertBits("v_p", expectedV, readDoubles(v, N));

    double[] b = Operands.matrixB(KEY, 1, N);
    double[] kept = new double[KEPT * N * N];
    List<double[]> products = new ArrayList<>();
    for (int k = 0; k < KEPT; k++) {
      double[] c = Reference.matrix(KEY, 1, 4 + k, N, b);
      products.add(c);
      System.arraycopy(c, 0, kept, k * N * N, N * N);
    }
    long keptAt = doubles(kept);
    long y = memory.allocate(8L * KEPT * N);
    run(entry("memory_pass.ptx", "memory_pass"), KernelGeometry.memoryPassGrid(N, KEPT),
        KernelGeometry.memoryPassBlock(), keptAt, v, y, N);
    double[] expectedY = new double[KEPT * N];
    for (int k = 0; k < KEPT; k++) {
      MemoryPass.multiply(products.get(k), 0, N, N, expectedV, expectedY, k * N);
    }
    assertBits("y", expectedY, readDoubles(y, KEPT * N));

    long leaves = memory.allocate(32L * KEPT * N);
    run(entry("memory_pass.ptx", "memory_leaves"), KernelGeometry.memoryLeavesGrid(KEPT * N),
        KernelGeometry.memoryLeavesBlock(), y, KEPT * N, leaves);
    byte[][] gotLeaves = readHashes(leaves, KEPT * N);
    for (int k = 0; k < KEPT; k++) {
      byte[][] expected = MemoryPass.leaves(expectedY, k * N, N);
      for (int i = 0; i < N; i++) {
        assertArrayEquals(expected[i], gotLeaves[k * N + i], "leaf of y(" + k + ")[" + i + "]");
      }
    }

    long scratch = memory.allocate(32L * KEPT * N);
    long roots = memory.allocate(32L * KEPT);
    long rootLeaves = memory.allocate(32L * KEPT);
    run(entry("memory_pass.ptx", "memory_vector_roots"), KernelGeometry.memoryRootsGrid(KEPT),
        KernelGeometry.treeBlock(), leaves, scratch, N, roots, rootLeaves);
    byte[][] expectedRoots = MemoryPass.vectorRoots(products, N, expectedV);
    byte[][] gotRoots = readHashes(roots, KEPT);
    byte[][] gotRootLeaves = readHashes(rootLeaves, KEPT);
    byte[][] expectedRootLeaves = MemoryPass.vectorRootLeaves(expectedRoots);
    for (int k = 0; k < KEPT; k++) {
      assertArrayEquals(expectedRoots[k], gotRoots[k], "s(" + k + ")");
      assertArrayEquals(expectedRootLeaves[k], gotRootLeaves[k], "leaf of s(" + k + ")");
    }

    long treeScratch = memory.allocate(2L * ((KEPT + 1) / 2) * 32);
    long memoryRoot = memory.allocate(32);
    run(entry("sha256_merkle.ptx", "merkle_root"), KernelGeometry.treeGrid(),
        KernelGeometry.treeBlock(), rootLeaves, treeScratch, KEPT, memoryRoot);
    assertArrayEquals(MemoryPass.memoryRoot(expectedRoots), readHashes(memoryRoot, 1)[0],
        "m_p");
  }

  /** The chain order shows: the same tiles summed in another order give other bits here. */
  @Test
  void memoryPass_expectedElementsDifferFromAnUnfusedSum() {
    double[] c = Reference.matrix(KEY, 0, 0, N, Operands.matrixB(KEY, 0, N));
    double[] v = Operands.memoryVector(MemoryPass.key(new byte[32], 0, 0, new byte[32]), N);
    int differ = 0;
    for (int i = 0; i < N; i++) {
      double unfused = 0.0;
      for (int j = 0; j < N; j++) {
        unfused += c[i * N + j] * v[j];
      }
      differ += Double.doubleToRawLongBits(unfused)
          != Double.doubleToRawLongBits(MemoryPass.dot(c, i * N, N, v)) ? 1 : 0;
    }
    assertTrue(differ > N / 2, "the bit-for-bit comparison above would catch a wrong order: "
        + differ + " of " + N + " rows differ");
  }

  private static void assertBits(String what, double[] expected, double[] got) {
    assertEquals(expected.length, got.length, what);
    List<String> differ = new ArrayList<>();
    for (int i = 0; i < expected.length; i++) {
      if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(got[i])) {
        differ.add(what + "[" + i + "]: " + expected[i] + " expected, " + got[i]);
      }
    }
    assertTrue(differ.isEmpty(), differ.size() + " differ, first: " + differ.subList(0,
        Math.min(3, differ.size())));
  }
}
