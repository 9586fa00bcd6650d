package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The CUDA backend's orchestration: discovery, contexts, module loading, batches, the SM
 * monitor, and every failure a GPU host can have (no device, a driver that will not start, a
 * refused PTX, out of memory, a kernel fault mid-run), each refused with one line naming the
 * GPU and leaving nothing allocated. Where the point is what the GPU computes or counts
 * (roots of a batch, row leaves at an n that is no power of two, the SM monitor, a kernel
 * faulting mid-run), on emulated GPUs that run the shipped PTX; the rest over the fake driver,
 * which stages what the emulator does not model (no device, a driver that will not start, a
 * refused PTX with its log, a small memory, the stream scheduler's orders by seed, contexts
 * retained per device) and runs a 66-iteration batch in a fraction of the time.
 */
class CudaBackendTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);
  private static final String NOTHING_LIVE =
      "allocations=0 modules=0 streams=0 events=0 contexts=0";

  private static CudaBackend open(CudaDriver driver, List<String> warnings)
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
      // included (ProductKernel); A, B, roots and the monitor's two arrays, and C, leaves and
      // scratch for each of the 8 iterations in flight at n = 64, with a hashing stream each
      // beside the product's; 5 events an iteration of a batch of 64, and the batch's end.
      assertTrue(held.contains("allocations=29 modules=6 streams=9 events=321 contexts=1"),
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
    EmulatedCudaDriver d = EmulatedGpus.driver(2);
    // The probe's 3 launches, the B fill, then A fill + product + rows + tree, then a fault.
    d.injectIllegalAddress(1, 9);
    List<Device> devices = open(d, new ArrayList<>()).devices(2);
    Device dev = devices.get(1);
    dev.prepare(KEY, 1, 64);
    assertArrayEquals(Reference.matrixRoots(KEY, 1, 64, 1)[0], dev.iterate(0).matrixRoot());
    BackendException e = assertThrows(BackendException.class, () -> dev.iterate(1));
    assertTrue(e.getMessage().startsWith("cuda device 1 (" + EmulatedGpus.MODEL + ", GPU-"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("CUDA_ERROR_ILLEGAL_ADDRESS (700): philox_fill: injected"
        + " fault: launch 9 on GPU 1 read an illegal address"), e.getMessage());
    dev.close();
    assertEquals(NOTHING_LIVE, d.live());
    assertEquals(0, d.usedBytes(1));
  }

  @Test
  void iterate_batch_equalsOneAtATimeAndTheReference() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
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
    // The counts are the kernel's own: each block adds itself at its %smid (atom.global.add)
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.prepare(KEY, 0, 128); // 2 x 2 blocks of 64 x 64 per product, one on each SM
      assertEquals(ProductKernel.DMMA, ((CudaDevice) dev).product());
      dev.iterate(0, 2);
      SmMonitor m = dev.monitor();
      assertArrayEquals(new long[] {2, 2, 2, 2}, m.blocksPerSm());
      assertTrue(m.busyFraction() > 0 && m.busyFraction() <= 1, "busy " + m.busyFraction());
    }
    assertEquals(NOTHING_LIVE, d.live());
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
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
      dev.prepare(KEY, 0, 576 / 3); // 192: not a power of two
      byte[] root = dev.iterate(2).matrixRoot();
      assertArrayEquals(Reference.matrixRoots(KEY, 0, 192, 3)[2], root);
      assertArrayEquals(root, org.gpuattest.common.merkle.MerkleTree.root(dev.rowLeaves(2)));
    }
    assertEquals(NOTHING_LIVE, d.live());
  }

  /**
   * The products of t+1, t+2, ... run while t is hashed, each iteration's hashing on a stream
   * of its own: under every order the events allow (the fake's scheduler, 30 seeds), through
   * more iterations than there are buffer slots, the roots are canonical-v1's. Without the
   * waits between the streams some seed hashes a C that a later product has overwritten.
   */
  @Test
  void iterate_streamsInAnyOrderTheirEventsAllow_giveTheReferenceRoots() throws Exception {
    int count = KernelGeometry.inFlight(64) + 2;
    byte[][] expected = Reference.matrixRoots(KEY, 0, 64, count);
    for (int seed = 0; seed < 30; seed++) {
      FakeCudaDriver d = CudaFakes.driver(1, 1L << 30);
      d.schedule = new java.util.Random(seed);
      try (Device dev = open(d, new ArrayList<>()).devices(1).get(0)) {
        dev.prepare(KEY, 0, 64);
        List<IterationResult> roots = dev.iterate(0, count);
        for (int t = 0; t < count; t++) {
          assertArrayEquals(expected[t], roots.get(t).matrixRoot(), "seed " + seed + ", r(0,"
              + t + ")");
        }
      }
    }
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
