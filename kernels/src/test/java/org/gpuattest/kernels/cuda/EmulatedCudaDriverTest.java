package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.kernels.Device;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.CudaDriver.Context;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.CudaDriver.Event;
import org.gpuattest.kernels.cuda.CudaDriver.Function;
import org.gpuattest.kernels.cuda.CudaDriver.Module;
import org.gpuattest.kernels.cuda.CudaDriver.Stream;
import org.junit.jupiter.api.Test;

/**
 * The emulated driver's own behaviour, as cuda.h documents the real one's: memory with bounds
 * and an out-of-memory limit, events on the GPU's virtual clock, a kernel's fault sticky in its
 * context with the sanitizer's words until a reset, which frees everything, and the PTX ISA
 * each driver version loads. Known answers come from common (Operands), not the emulator.
 */
class EmulatedCudaDriverTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  /** A small GPU: 1 MiB of memory, so running out is cheap. */
  private static EmulatedCudaDriver smallGpu() {
    CudaDriver.DeviceProperties h = EmulatedGpus.h100(0);
    return new EmulatedCudaDriver(12060, List.of(new CudaDriver.DeviceProperties(h.name(),
        h.uuid(), h.pciBusId(), 9, 0, 4, 1L << 20)));
  }

  private static Context open(EmulatedCudaDriver d, int ordinal) throws CudaException {
    Context c = d.retainContext(ordinal);
    d.setCurrent(c);
    return c;
  }

  @Test
  void maxIsa_driverVersions_followNvidiasReleaseTable() {
    assertEquals(85, DecodedModules.maxIsa(12060), "CUDA 12.6 adds no ISA to 12.5's 8.5");
    assertEquals(85, DecodedModules.maxIsa(12050));
    assertEquals(87, DecodedModules.maxIsa(12080));
    assertEquals(90, DecodedModules.maxIsa(13000));
    assertEquals(78, DecodedModules.maxIsa(11080));
    assertThrows(IllegalArgumentException.class, () -> DecodedModules.maxIsa(10020));
  }

  @Test
  void allocate_pastTheGpusMemory_outOfMemory_andFreeingMakesRoom() throws Exception {
    EmulatedCudaDriver d = smallGpu();
    Context c = open(d, 0);
    DevicePointer a = d.allocate(768 * 1024);
    CudaException e = assertThrows(CudaException.class, () -> d.allocate(512 * 1024));
    assertEquals(CudaException.OUT_OF_MEMORY, e.code());
    assertTrue(e.getMessage().startsWith("cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2)"),
        e.getMessage());
    d.free(a);
    d.free(d.allocate(1L << 20));
    assertEquals(0, d.usedBytes(0));
    d.releaseContext(c);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void memory_outsideAnAllocationOrFreed_invalidValue() throws Exception {
    EmulatedCudaDriver d = smallGpu();
    open(d, 0);
    Stream s = d.createStream();
    DevicePointer p = d.allocate(64);
    assertEquals(CudaException.INVALID_VALUE, assertThrows(CudaException.class,
        () -> d.copyToHost(new byte[65], p)).code());
    assertEquals(CudaException.INVALID_VALUE, assertThrows(CudaException.class,
        () -> d.zero(p.plus(8), 57, s)).code());
    assertEquals(CudaException.INVALID_VALUE, assertThrows(CudaException.class,
        () -> d.free(p.plus(8))).code(), "not the start of the allocation");
    d.free(p);
    assertEquals(CudaException.INVALID_VALUE, assertThrows(CudaException.class,
        () -> d.free(p)).code());
    assertEquals(CudaException.INVALID_VALUE, assertThrows(CudaException.class,
        () -> d.copyToHost(new byte[8], p)).code());
  }

  @Test
  void elapsedMillis_aroundAMemset_isItsVirtualTime_andNeedsCompletedRecords() throws Exception {
    EmulatedCudaDriver d = smallGpu();
    open(d, 0);
    Stream s = d.createStream();
    Event start = d.createEvent();
    Event end = d.createEvent();
    DevicePointer p = d.allocate(670_000);
    assertEquals(CudaException.INVALID_HANDLE, assertThrows(CudaException.class,
        () -> d.elapsedMillis(start, end)).code(), "never recorded");
    d.record(start, s);
    d.zero(p, 670_000, s); // 200 ns at 3350 bytes a nanosecond
    d.record(end, s);
    CudaException notYet = assertThrows(CudaException.class, () -> d.elapsedMillis(start, end));
    assertEquals(EmulatedStreams.NOT_READY, notYet.code());
    assertTrue(notYet.getMessage().contains("CUDA_ERROR_NOT_READY"), notYet.getMessage());
    d.synchronize(s);
    assertEquals(200e-6f, d.elapsedMillis(start, end), 1e-9f);
    assertEquals(200, d.nowNanos(0));
  }

  @Test
  void zeroThenCopy_roundTripsThroughTheGpusMemory() throws Exception {
    EmulatedCudaDriver d = smallGpu();
    open(d, 0);
    Stream s = d.createStream();
    DevicePointer p = d.allocate(32);
    d.zero(p, 32, s);
    byte[] out = new byte[32];
    out[3] = 7;
    d.copyToHost(out, p);
    assertArrayEquals(new byte[32], out);
  }

  @Test
  void handles_ofAnotherGpu_refused() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(2);
    open(d, 1);
    Stream other = d.createStream();
    DevicePointer far = d.allocate(64);
    open(d, 0);
    Stream mine = d.createStream();
    assertEquals(CudaException.INVALID_HANDLE, assertThrows(CudaException.class,
        () -> d.synchronize(other)).code());
    assertEquals(CudaException.INVALID_VALUE, assertThrows(CudaException.class,
        () -> d.zero(far, 64, mine)).code());
  }

  @Test
  void injectedIllegalAddress_stickyWithItsWords_untilResetFreesEverything() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    Context c = open(d, 0);
    Stream s = d.createStream();
    Module m = d.loadModule(PtxLibrary.text("philox_fill.ptx"));
    Function fill = d.function(m, "philox_fill");
    int n = 64;
    DevicePointer a = d.allocate(8L * n * n);
    d.injectIllegalAddress(0, 2);
    for (int t = 0; t < 3; t++) {
      d.launch(fill, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), 0, s, a,
          (long) n * n / 2, KEY.k0(), KEY.k1(), t, 0, 0);
    }
    CudaException fault = assertThrows(CudaException.class, () -> d.synchronize(s));
    assertEquals(CudaException.ILLEGAL_ADDRESS, fault.code());
    assertEquals("cuStreamSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS (700): philox_fill: injected"
        + " fault: launch 2 on GPU 0 read an illegal address", fault.getMessage());
    CudaException later = assertThrows(CudaException.class, () -> d.allocate(8));
    assertEquals(CudaException.ILLEGAL_ADDRESS, later.code(), "sticky");
    assertTrue(later.getMessage().contains("launch 2 on GPU 0"), later.getMessage());
    assertEquals(CudaException.ILLEGAL_ADDRESS, assertThrows(CudaException.class,
        () -> d.free(a)).code(), "frees too");
    assertEquals(3, d.launches(0));

    d.resetPrimaryContext(0);
    assertEquals(0, d.usedBytes(0), "the reset took the memory");
    d.releaseContext(c);
    Context again = open(d, 0);
    assertEquals(CudaException.INVALID_HANDLE, assertThrows(CudaException.class,
        () -> d.synchronize(s)).code(), "a stream from before the reset is dead");
    d.free(d.allocate(8));
    d.releaseContext(again);
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, d.live());
  }

  @Test
  void philoxFill_onTheEmulatedGpu_equalsCommonsOperands_andTakesVirtualTime()
      throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    open(d, 0);
    Stream s = d.createStream();
    Event start = d.createEvent();
    Event end = d.createEvent();
    Function fill = d.function(d.loadModule(PtxLibrary.text("philox_fill.ptx")), "philox_fill");
    int n = 64;
    DevicePointer a = d.allocate(8L * n * n);
    d.record(start, s);
    d.launch(fill, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), 0, s, a,
        (long) n * n / 2, KEY.k0(), KEY.k1(), 5, 1, 0); // A(g = 1, t = 5)
    d.record(end, s);
    d.synchronize(s);
    byte[] raw = new byte[8 * n * n];
    d.copyToHost(raw, a);
    double[] expected = Operands.matrixA(KEY, 1, 5, n);
    ByteBuffer got = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    for (int e = 0; e < expected.length; e++) {
      assertEquals(Double.doubleToRawLongBits(expected[e]), got.getLong(8 * e), "element " + e);
    }
    assertTrue(d.elapsedMillis(start, end) > 0, "the kernel took virtual time");
    assertEquals(List.of("0:philox_fill"), d.launchLog());
  }

  /** The CUDA backend drives each GPU from its own thread: two GPUs at once, each exact. */
  @Test
  void twoGpus_drivenFromTwoThreadsAtOnce_eachGivesTheReferenceRoots() throws Exception {
    EmulatedGpus.Watched w = EmulatedGpus.watched(2);
    List<Device> devices = w.backend().devices(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<byte[][]>> runs = new java.util.ArrayList<>();
      for (int g = 0; g < 2; g++) {
        Device dev = devices.get(g);
        int gg = g;
        runs.add(pool.submit(() -> {
          try (dev) {
            dev.prepare(KEY, gg, 64);
            return new byte[][] {dev.iterate(0).matrixRoot(), dev.iterate(1).matrixRoot()};
          }
        }));
      }
      for (int g = 0; g < 2; g++) {
        byte[][] expected = Reference.matrixRoots(KEY, g, 64, 2);
        byte[][] got = runs.get(g).get();
        assertArrayEquals(expected[0], got[0], "r(" + g + ",0)");
        assertArrayEquals(expected[1], got[1], "r(" + g + ",1)");
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, w.live().get());
  }

  @Test
  void launch_thatWritesPastItsAllocation_faultsWithTheSanitizersFinding() throws Exception {
    EmulatedCudaDriver d = EmulatedGpus.driver(1);
    open(d, 0);
    Stream s = d.createStream();
    Function f = d.function(d.loadModule(TinyPtx.STORE_AT), "store_at");
    DevicePointer p = d.allocate(64 * 4);
    d.launch(f, Dim3.of(1), Dim3.of(64), 0, s, p, 0);
    d.synchronize(s);
    byte[] raw = new byte[64 * 4];
    d.copyToHost(raw, p);
    assertEquals(63, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getInt(63 * 4));
    d.launch(f, Dim3.of(1), Dim3.of(64), 0, s, p, 1); // thread 63 writes one int too far
    CudaException e = assertThrows(CudaException.class, () -> d.synchronize(s));
    assertTrue(e.poisonsContext(), e.getMessage());
    assertTrue(e.getMessage().contains("store_at"), e.getMessage());
  }
}
