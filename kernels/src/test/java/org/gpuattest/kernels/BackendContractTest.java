package org.gpuattest.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.kernels.cpu.CpuBackend;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.gpuattest.kernels.cuda.RealGpu;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every backend keeps, run over each one: its matrix roots equal the
 * single-threaded reference of canonical-v1 bit for bit, its row leaves rebuild the same root,
 * and its SM monitor accounts for every block it ran. The CUDA backend runs it twice: on
 * emulated GPUs that execute the shipped PTX (everywhere), and on this host's GPUs (skipped,
 * with the reason, where there are none). Not over the fake driver: its Java models stood in
 * for the GPU only until the emulator could run the PTX itself (issue 20 item 4).
 */
class BackendContractTest {
  static Stream<Arguments> backends() {
    return Stream.of(
        Arguments.of("cpu, 1 thread", new CpuBackend(1)),
        Arguments.of("cpu, 3 threads", new CpuBackend(3)),
        Arguments.of("cuda on 2 emulated GPUs", EmulatedGpus.backend(2)),
        Arguments.of("cuda on this host's GPUs", RealGpu.backendOrNull()));
  }

  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void iterate_anyBackend_equalsReferenceBitForBit(String name, Backend backend)
      throws Exception {
    RealGpu.assumePresent(backend);
    int n = 128;
    List<Device> devices = backend.devices(2);
    for (int g = 0; g < 2; g++) {
      try (Device d = devices.get(g)) {
        d.prepare(KEY, g, n);
        byte[][] expected = Reference.matrixRoots(KEY, g, n, 2);
        for (int t = 0; t < 2; t++) {
          assertArrayEquals(expected[t], d.iterate(t).matrixRoot(), name + " r(" + g + "," + t + ")");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void rowLeaves_anyBackend_rebuildTheCommittedRoot(String name, Backend backend)
      throws Exception {
    RealGpu.assumePresent(backend);
    int n = 64;
    try (Device d = backend.devices(1).get(0)) {
      d.prepare(KEY, 0, n);
      byte[] root = d.iterate(1).matrixRoot();
      byte[][] leaves = d.rowLeaves(1);
      assertEquals(n, leaves.length);
      assertArrayEquals(root, MerkleTree.root(leaves));
      double[] c = Reference.matrix(KEY, 0, 1, n, Operands.matrixB(KEY, 0, n));
      assertArrayEquals(RowHash.leaf(c, 17 * n, n), leaves[17]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void monitor_afterIterations_countsEveryBlock(String name, Backend backend) throws Exception {
    RealGpu.assumePresent(backend);
    int n = 128;
    try (Device d = backend.devices(1).get(0)) {
      d.prepare(KEY, 0, n);
      d.iterate(0);
      d.iterate(1);
      SmMonitor m = d.monitor();
      assertEquals(d.identity().smCount(), m.blocksPerSm().length);
      long blocks = 0;
      for (long b : m.blocksPerSm()) {
        blocks += b;
      }
      assertTrue(blocks > 0, "blocks were counted");
      assertTrue(m.busyFraction() > 0 && m.busyFraction() <= 1.0, "busy " + m.busyFraction());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void devices_manyWanted_haveDistinctIdentities(String name, Backend backend) throws Exception {
    RealGpu.assumePresent(backend);
    List<Device> devices = backend.devices(4); // a physical backend lists what it has
    assertTrue(!devices.isEmpty() && devices.size() <= 4, devices.size() + " devices");
    assertEquals(devices.size(), devices.stream().map(d -> d.identity().uuid()).distinct().count());
    assertEquals(devices.size(),
        devices.stream().map(d -> d.identity().pciBusId()).distinct().count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void checkFits_hostileSize_refusedBeforeAllocation(String name, Backend backend) {
    RealGpu.assumePresent(backend);
    BackendException e = assertThrows(BackendException.class,
        () -> backend.checkFits(64, 16384));
    assertTrue(e.getMessage().contains("n=16384"), e.getMessage());
  }
}
