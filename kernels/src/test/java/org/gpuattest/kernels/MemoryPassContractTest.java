package org.gpuattest.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.cpu.CpuBackend;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory phase's contract (docs/protocol.md §2.2), run over each backend that keeps
 * products (the CUDA backend over the fake driver, which runs the kernels' Java models): a pass
 * over the kept C(g, t) gives the vector roots and memory root of {@link MemoryPass}'s
 * definition bit for bit, and an element product for an opening equals it.
 */
class MemoryPassContractTest {
  static Stream<Arguments> backends() {
    return Stream.of(
        Arguments.of("cpu, 1 thread", new CpuBackend(1)),
        Arguments.of("cpu, 3 threads", new CpuBackend(3)),
        Arguments.of("cuda over the fake driver", CudaFakes.backend(2, 1L << 30)));
  }

  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);
  private static final byte[] SEED = new byte[32];

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void memoryPass_keptProducts_equalTheDefinitionBitForBit(String name, Backend backend)
      throws Exception {
    int n = 128;
    int g = 1;
    try (Device d = backend.devices(2).get(g)) {
      d.allocate(n);
      d.keep(2, 2); // iterations 2 and 3 of 4
      d.prepare(KEY, g, n);
      for (int t = 0; t < 4; t++) {
        d.iterate(t);
      }
      double[] b = Operands.matrixB(KEY, g, n);
      List<double[]> kept = List.of(Reference.matrix(KEY, g, 2, n, b),
          Reference.matrix(KEY, g, 3, n, b));
      byte[] previous = new byte[32];
      for (int p = 0; p < 3; p++) {
        double[] v = MemoryPass.vector(SEED, g, p, previous, n);
        byte[][] expected = MemoryPass.vectorRoots(kept, n, v);
        MemoryPassResult pass = d.memoryPass(MemoryPass.key(SEED, g, p, previous));
        byte[][] got = pass.vectorRoots();
        assertArrayEquals(MemoryPass.memoryRoot(expected), pass.memoryRoot(), name + " m_" + p);
        assertEquals(2, got.length, name);
        for (int k = 0; k < 2; k++) {
          assertArrayEquals(expected[k], got[k], name + " s_" + p + "(" + g + "," + (2 + k) + ")");
        }
        previous = pass.memoryRoot();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void memoryProduct_anyIteration_equalsTheDefinition(String name, Backend backend)
      throws Exception {
    int n = 64;
    try (Device d = backend.devices(1).get(0)) {
      d.prepare(KEY, 0, n);
      double[] v = MemoryPass.vector(SEED, 0, 0, new byte[32], n);
      double[] c = Reference.matrix(KEY, 0, 5, n, Operands.matrixB(KEY, 0, n));
      double[] y = d.memoryProduct(5, MemoryPass.key(SEED, 0, 0, new byte[32]));
      List<String> differ = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (Double.doubleToRawLongBits(y[i])
            != Double.doubleToRawLongBits(MemoryPass.dot(c, i * n, n, v))) {
          differ.add("row " + i);
        }
      }
      assertTrue(differ.isEmpty(), name + ": " + differ);
    }
  }

  /** The CPU backend knows which kept products it computed, and streams no other. */
  @org.junit.jupiter.api.Test
  void memoryPass_cpuKeptIterationNotComputed_isRefused() throws Exception {
    int n = 64;
    try (Device d = new CpuBackend(1).devices(1).get(0)) {
      d.allocate(n);
      d.keep(1, 2);
      d.prepare(KEY, 0, n);
      d.iterate(0);
      d.iterate(1); // iteration 2, kept, never computed
      BackendException e = assertThrows(BackendException.class,
          () -> d.memoryPass(KEY));
      assertTrue(e.getMessage().contains("kept iteration 2 was not computed"), e.getMessage());
    }
  }
}
