package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.IterationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The prove loop with several iterations in flight (PipelinedLoop.batch, issue 23): the roots
 * stay canonical-v1's on the emulated GPU (the shipped PTX, sanitizer on) at every legal n up
 * to 512, through more iterations than there are buffer slots, so every slot is reused; and
 * the order the loop imposes on the GPU, read from its driver calls ({@link StreamGraph}),
 * lets the hashing of one iteration overlap the next iterations' products and hashing while
 * every C buffer is rewritten only after its hashing has ended.
 */
class PipelinedLoopTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  static IntStream legalNUpTo512() {
    return IntStream.rangeClosed(1, 8).map(m -> 64 * m);
  }

  @ParameterizedTest
  @MethodSource("legalNUpTo512")
  void iterate_emulatedGpuMoreIterationsThanSlots_rootsEqualTheReference(int n)
      throws Exception {
    int count = KernelGeometry.inFlight(n) + 1;
    byte[][] expected = Reference.matrixRoots(KEY, 0, n, count);
    EmulatedGpus.Watched w = EmulatedGpus.watched(1);
    try (Device dev = w.backend().devices(1).get(0)) {
      dev.prepare(KEY, 0, n);
      List<IterationResult> got = dev.iterate(0, count);
      for (int t = 0; t < count; t++) {
        assertArrayEquals(expected[t], got.get(t).matrixRoot(), "n=" + n + ", r(0," + t + ")");
      }
    }
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, w.live().get());
  }

  /**
   * The dependencies of a batch at n = 64 (matmul_dmma on the fake GPU): each iteration's row
   * hashing after its product; the product of t + k (k in flight) after the tree of t, which
   * used the same C, leaves and scratch; and nothing more: the product of t + 2 and the
   * hashing of t + 1 need not wait for the tree of t (with one hashing stream and two C
   * buffers, before issue 23, both had to).
   */
  @Test
  void batch_dependencies_hashingOverlapsLaterProductsAndHashing() throws Exception {
    int n = 64;
    int k = KernelGeometry.inFlight(n);
    StreamGraph[] graph = new StreamGraph[1];
    CudaDriver driver = StreamGraph.wrap(CudaFakes.driver(1, 1L << 30), graph);
    String product = "matmul_dmma";
    try (Device dev = CudaBackend.open(driver, x -> {}).devices(1).get(0)) {
      dev.prepare(KEY, 0, n);
      int p0 = graph[0].launches(product);
      int count = 2 * k + 1;
      dev.iterate(0, count);
      for (int t = 0; t < count; t++) {
        assertTrue(graph[0].mustPrecede(product, p0 + t, "sha256_rows", t), "t=" + t);
        if (t + k < count) {
          assertTrue(graph[0].mustPrecede("merkle_root", t, product, p0 + t + k), "t=" + t);
          assertFalse(graph[0].mustPrecede("merkle_root", t, product, p0 + t + k - 1),
              "t=" + t);
        }
        if (t + 2 < count) {
          assertFalse(graph[0].mustPrecede("merkle_root", t, product, p0 + t + 2), "t=" + t);
        }
        if (t + 1 < count) {
          assertFalse(graph[0].mustPrecede("merkle_root", t, "sha256_rows", t + 1), "t=" + t);
        }
      }
    }
  }

  /**
   * The kernel time a batch reports is the GPU's busy time for it, each iteration its share of
   * the loop: the hashing of one iteration runs beside the next ones' products, so summing
   * each iteration's phases would count that time twice and report more kernel time than the
   * run lasted (docs/protocol.md §4.2; timing.barriers holds it to the run).
   */
  @Test
  void iterate_hashingOverlapsProducts_kernelTimeSumsToTheLoop() throws Exception {
    int n = 64;
    int count = 2 * KernelGeometry.inFlight(n) + 1;
    EmulatedGpus.Watched w = EmulatedGpus.watched(1);
    try (Device dev = w.backend().devices(1).get(0)) {
      dev.prepare(KEY, 0, n);
      long before = w.driver().nowNanos(0);
      List<IterationResult> got = dev.iterate(0, count);
      long elapsed = w.driver().nowNanos(0) - before;
      long reported = got.stream().mapToLong(IterationResult::kernelNanos).sum();
      assertTrue(reported > 0 && reported <= elapsed, reported + " ns reported in " + elapsed
          + " ns");
      long least = got.stream().mapToLong(IterationResult::kernelNanos).min().orElseThrow();
      long most = got.stream().mapToLong(IterationResult::kernelNanos).max().orElseThrow();
      assertTrue(most - least <= 1, "equal shares: " + least + ".." + most);
    }
  }
}
