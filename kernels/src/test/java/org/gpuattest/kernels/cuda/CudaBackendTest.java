package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.IterationResult;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's orchestration over a fake driver: discovery, contexts, module loading,
 * batches, the SM monitor, and every failure a GPU host can have (no device, a driver that
 * will not start, a refused PTX, out of memory, a kernel fault mid-run), each refused with one
 * line naming the GPU and leaving nothing allocated.
 */
class CudaBackendTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);
  private static final String NOTHING_LIVE =
      "allocations=0 modules=0 streams=0 events=0 contexts=0";

  private static CudaBackend open(FakeCudaDriver driver, List<String> warnings)
      throws CudaUnavailableException {
    return CudaBackend.open(driver, warnings::add);
  }

  @Test
  void open_fakeGpus_reportsIdentitiesInNvidiaSmiForm() throws Exception {
    CudaBackend b = open(CudaFakes.driver(2, 1L << 30), new ArrayList<>());
    assertEquals(2, b.gpus().size());
    String uuid = b.gpus().get(0).uuid();
    assertTrue(uuid.matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        uuid);
    assertEquals("GPU-11121314-1516-1718-191a-1b1c1d1e1f20", uuid);
    assertEquals("9.0", b.gpus().get(0).computeCapability());
    assertEquals("CUDA 12.6", b.gpus().get(0).driverVersion());
    assertEquals(4, b.gpus().get(1).smCount());
  }

  @Test
  void open_noDevice_saysSo() {
    FakeCudaDriver none = new FakeCudaDriver(12060, List.of());
    CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
        () -> open(none, new ArrayList<>()));
    assertTrue(e.getMessage().startsWith("no CUDA device"), e.getMessage());
    assertTrue(e.getMessage().contains("CUDA 12.6"), e.getMessage());
  }

  @Test
  void open_initFails_namesTheDriverError() {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.initFailure = 999; // CUDA_ERROR_UNKNOWN: no advice, the driver's words
    CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
        () -> open(d, new ArrayList<>()));
    assertEquals("the CUDA driver failed to start: cuInit: CUDA_ERROR_999 (999)",
        e.getMessage());
  }

  @Test
  void prepare_refusedPtx_saysTheDriverIsTooOldAndFreesEverything() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.refusePtx = true;
    Device dev = open(d, new ArrayList<>()).devices(1).get(0);
    BackendException e = assertThrows(BackendException.class, () -> dev.prepare(KEY, 0, 64));
    assertTrue(e.getMessage().contains("too old for the PTX"), e.getMessage());
    assertTrue(e.getMessage().contains("ISA "), e.getMessage());
    assertTrue(e.getMessage().contains("cuda device 0 (Fake GPU 0, GPU-"), e.getMessage());
    assertEquals(NOTHING_LIVE, d.live());
  }

  @Test
  void prepare_outOfMemory_namesItAndFreesWhatWasAllocated() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 3L * 128 * 128 * 8 + 1000); // A, B, C but no more
    Device dev = open(d, new ArrayList<>()).devices(1).get(0);
    BackendException e = assertThrows(BackendException.class, () -> dev.prepare(KEY, 0, 128));
    assertTrue(e.getMessage().contains("out of device memory"), e.getMessage());
    assertEquals(NOTHING_LIVE, d.live());
  }

  /** After allocate (before the seed exists) prepare launches only the B fill (§3.2). */
  @Test
  void prepare_afterAllocate_launchesOnlyTheBFillAndAllocatesNothingMore() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.allocate(64);
      String held = d.live();
      // A 9.0 GPU: the six PTX files, the two tensor-core ones and the memory pass's
      // included (ProductKernel).
      assertTrue(held.contains("allocations=9 modules=6 streams=2 events=320 contexts=1"),
          held);
      List<String> probe = List.of("0:philox_fill", "0:philox_fill",
          "0:matmul_dmma"); // the tensor-core probe (ProductProbe) of the monitored entry,
      // before the seed;
      // n = 64 is no multiple of 128, so matmul_dmma_wide is neither probed nor used
      assertEquals(probe, d.launchLog);
      dev.prepare(KEY, 0, 64);
      List<String> withB = new ArrayList<>(probe);
      withB.add("0:philox_fill");
      assertEquals(withB, d.launchLog);
      assertEquals(held, d.live());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 64, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(NOTHING_LIVE, d.live());
  }

  @Test
  void close_afterAllocateOnly_freesEverything() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    Device dev = open(d, new ArrayList<>()).devices(1).get(0);
    dev.allocate(128);
    dev.close();
    assertEquals(NOTHING_LIVE, d.live());
  }

  /** Preparing at another n than was allocated gives the buffers back and takes new ones. */
  @Test
  void prepare_otherSizeThanAllocated_reallocates() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.allocate(128);
      dev.prepare(KEY, 0, 64);
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 64, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(NOTHING_LIVE, d.live());
  }

  @Test
  void checkFits_sizeBeyondTheGpusMemory_refusedBeforeAllocation() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 64L << 20);
    BackendException e = assertThrows(BackendException.class,
        () -> open(d, new ArrayList<>()).checkFits(1, 2048));
    assertTrue(e.getMessage().contains("n=2048 needs"), e.getMessage());
    assertTrue(e.getMessage().contains("GPU 0 (Fake GPU 0) has 64 MiB"), e.getMessage());
    open(d, new ArrayList<>()).checkFits(1, 512); // 6 MiB: fits
  }

  @Test
  void iterate_faultMidRun_failsNamingTheGpuAndCloseFreesEverything() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(2, 1L << 30);
    // The probe's 3 launches, the B fill, then A fill + product + rows + tree, then a fault.
    d.faultAfterLaunch.put(1, 9);
    List<Device> devices = open(d, new ArrayList<>()).devices(2);
    Device dev = devices.get(1);
    dev.prepare(KEY, 1, 64);
    dev.iterate(0);
    BackendException e = assertThrows(BackendException.class, () -> dev.iterate(1));
    assertTrue(e.getMessage().startsWith("cuda device 1 (Fake GPU 1, GPU-"), e.getMessage());
    assertTrue(e.getMessage().contains("CUDA_ERROR_719"), e.getMessage());
    dev.close();
    assertEquals(NOTHING_LIVE, d.live());
  }

  @Test
  void iterate_batch_equalsOneAtATimeAndTheReference() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.prepare(KEY, 0, 64);
      List<IterationResult> batch = dev.iterate(0, 3);
      byte[][] expected = Reference.matrixRoots(KEY, 0, 64, 3);
      for (int t = 0; t < 3; t++) {
        assertArrayEquals(expected[t], batch.get(t).matrixRoot(), "r(0," + t + ")");
        assertArrayEquals(expected[t], dev.iterate(t).matrixRoot(), "single r(0," + t + ")");
      }
    }
    assertEquals(NOTHING_LIVE, d.live());
  }

  @Test
  void iterate_moreThanOneBatch_keepsEveryRootInOrder() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.prepare(KEY, 0, 64);
      int count = CudaDevice.BATCH + 2;
      List<IterationResult> all = dev.iterate(0, count);
      assertEquals(count, all.size());
      byte[][] expected = Reference.matrixRoots(KEY, 0, 64, count);
      assertArrayEquals(expected[count - 1], all.get(count - 1).matrixRoot());
      assertArrayEquals(expected[CudaDevice.BATCH], all.get(CudaDevice.BATCH).matrixRoot());
    }
  }

  @Test
  void monitor_countsEveryProductBlockOnItsSm() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.prepare(KEY, 0, 256); // 2 x 2 blocks of 128 x 128 per product (matmul_dmma_wide)
      assertEquals(ProductKernel.DMMA_WIDE, ((CudaDevice) dev).product());
      dev.iterate(0, 3);
      SmMonitor m = dev.monitor();
      assertArrayEquals(new long[] {3, 3, 3, 3}, m.blocksPerSm());
      assertTrue(m.busyFraction() > 0 && m.busyFraction() <= 1, "busy " + m.busyFraction());
    }
  }

  @Test
  void calls_fromAnotherThread_makeTheContextCurrentFirst() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    Device dev = open(d, new ArrayList<>()).devices(1).get(0);
    Thread t = new Thread(() -> {
      try {
        dev.prepare(KEY, 0, 64);
      } catch (BackendException e) {
        throw new AssertionError(e);
      }
    });
    t.start();
    t.join();
    AtomicReference<byte[]> root = new AtomicReference<>();
    Thread u = new Thread(() -> {
      try {
        root.set(dev.iterate(0).matrixRoot());
      } catch (BackendException e) {
        throw new AssertionError(e);
      }
    });
    u.start();
    u.join();
    assertArrayEquals(Reference.matrixRoots(KEY, 0, 64, 1)[0], root.get());
    dev.close(); // from the test thread, which never made the context current
    assertEquals(NOTHING_LIVE, d.live());
  }

  @Test
  void devices_sameGpuTwice_bothRunAndReleaseTheSharedContext() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    CudaBackend b = open(d, new ArrayList<>());
    Device first = b.devices(1).get(0);
    Device second = b.deviceWithUuid(b.gpus().get(0).uuid()).orElseThrow();
    first.prepare(KEY, 0, 64);
    second.prepare(KEY, 1, 64);
    assertEquals(2, d.retainCount(0));
    assertArrayEquals(Reference.matrixRoots(KEY, 1, 64, 1)[0], second.iterate(0).matrixRoot());
    first.close();
    second.close();
    assertEquals(NOTHING_LIVE, d.live());
  }

  @Test
  void deviceWithUuid_unknown_isEmpty() throws Exception {
    CudaBackend b = open(CudaFakes.driver(1, 1L << 30), new ArrayList<>());
    assertTrue(b.deviceWithUuid("GPU-00000000-0000-0000-0000-000000000000").isEmpty());
    assertTrue(b.deviceWithUuid(b.gpus().get(0).uuid().toUpperCase()).isPresent());
  }

  @Test
  void rowLeaves_recomputeC_rebuildsTheIteratedRoot() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.prepare(KEY, 0, 576 / 3); // 192: not a power of two
      byte[] root = dev.iterate(2).matrixRoot();
      assertArrayEquals(root, org.gpuattest.common.merkle.MerkleTree.root(dev.rowLeaves(2)));
    }
  }

  /**
   * The product of t+1 runs while t is hashed, on two streams: under every order the events
   * allow (the fake's scheduler, 30 seeds), the roots are canonical-v1's. Without the waits
   * between the streams some seed hashes a C that the next product has overwritten.
   */
  @Test
  void iterate_twoStreamsInAnyOrderTheirEventsAllow_giveTheReferenceRoots() throws Exception {
    byte[][] expected = Reference.matrixRoots(KEY, 0, 64, 6);
    for (int seed = 0; seed < 30; seed++) {
      FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
      d.schedule = new java.util.Random(seed);
      try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
        dev.prepare(KEY, 0, 64);
        List<IterationResult> roots = dev.iterate(0, 6);
        for (int t = 0; t < 6; t++) {
          assertArrayEquals(expected[t], roots.get(t).matrixRoot(), "seed " + seed + ", r(0,"
              + t + ")");
        }
      }
    }
  }

  @Test
  void allocate_gpuWithFp64TensorCores_runsTheTensorCoreProduct() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.prepare(KEY, 0, 192); // no multiple of 128: the 64 x 64 kernel
      assertEquals(ProductKernel.DMMA, ((CudaDevice) dev).product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 192, 2)[1], dev.iterate(1).matrixRoot());
      assertTrue(d.launchLog.contains("0:matmul_dmma"), d.launchLog.toString());
      assertFalse(d.launchLog.stream().anyMatch(l -> l.contains("wide")), d.launchLog.toString());
    }
  }

  @Test
  void allocate_olderGpu_neverLoadsTheTensorCorePtx() throws Exception {
    FakeCudaDriver d = new FakeCudaDriver(12060,
        List.of(FakeCudaDriver.gpu(0, 4, 1L << 30, 7, 5)));
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.prepare(KEY, 0, 64);
      assertEquals(ProductKernel.FFMA, ((CudaDevice) dev).product());
      assertTrue(d.live().contains("modules=4"), d.live()); // no tensor-core PTX
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 64, 1)[0], dev.iterate(0).matrixRoot());
    }
  }

  @Test
  void allocate_tensorCoresDifferFromTheCpu_fallsBackToFfmaAndSaysSo() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    d.corrupt.add("matmul_dmma");
    List<String> warnings = new ArrayList<>();
    try (Device dev = open(d, warnings).devices(1).get(0)) {
      dev.prepare(KEY, 0, 64);
      assertEquals(ProductKernel.FFMA, ((CudaDevice) dev).product());
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 64, 1)[0], dev.iterate(0).matrixRoot());
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("differs from the CPU reference")
        && warnings.get(0).contains("using the FFMA kernel"), warnings.get(0));
    assertEquals(NOTHING_LIVE, d.live());
  }

  @Test
  void allocate_secondDeviceOnTheSameGpu_doesNotProbeAgain() throws Exception {
    FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
    CudaBackend b = open(d, new ArrayList<>());
    try (Device first = b.devices(1).get(0);
        Device second = b.deviceWithUuid(b.gpus().get(0).uuid()).orElseThrow()) {
      first.allocate(64);
      second.allocate(64);
      assertEquals(ProductKernel.DMMA, ((CudaDevice) second).product());
      assertEquals(1, d.launchLog.stream().filter(l -> l.equals("0:matmul_dmma"))
          .count(), d.launchLog.toString());
    }
  }
}
