package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * CUDA backends over {@link FakeCudaDriver}, for tests outside this package where the GPU's
 * results are not the point (backend selection, the devices listing, refusals made before any
 * launch, a GPU gone at open), and for a driver call that blocks deaf to interrupts
 * ({@link #holding}), which only the fake can stage. A test of what the GPU computes
 * or what the prover does with its results (prove, open, selftest, bench, the warm-up, a GPU
 * faulting mid-run) takes emulated GPUs instead ({@link EmulatedGpus}), which run the shipped
 * PTX; the fake's Java models only mirror the CUDA sources. See {@link FakeCudaDriver} for what
 * else the fake is still for.
 */
public final class CudaFakes {
  private CudaFakes() {}

  /** A driver for CUDA 12.6 with {@code gpus} fake GPUs of 4 SMs and {@code memory} bytes. */
  static FakeCudaDriver driver(int gpus, long memory) {
    List<CudaDriver.DeviceProperties> list = new ArrayList<>();
    for (int i = 0; i < gpus; i++) {
      list.add(FakeCudaDriver.gpu(i, 4, memory));
    }
    return new FakeCudaDriver(12060, list);
  }

  /**
   * A backend and what its driver still holds afterwards; {@link #NOTHING_LIVE} is what the
   * fake and the emulated driver both say when everything was given back.
   */
  public record Watched(CudaBackend backend, Supplier<String> live) {
    /** What {@link #live} says when everything was given back. */
    public static final String NOTHING_LIVE =
        "allocations=0 modules=0 streams=0 events=0 contexts=0";
  }

  /**
   * A CUDA backend of one fake GPU whose first wait after a launch of {@code entry} blocks,
   * inside the driver call and deaf to interrupts, until {@code release} counts down; and what
   * was freed, destroyed or released while a thread was in that call.
   */
  public record Held(CudaBackend backend, CountDownLatch entered, CountDownLatch interrupted,
      CountDownLatch release, IntSupplier teardownsDuringCall, Supplier<String> live) {}

  /** See {@link Held}. */
  public static Held holding(String entry, long memory) {
    FakeCudaDriver d = driver(1, memory);
    FakeCallHold h = d.holdAfterLaunchOf(entry);
    try {
      return new Held(CudaBackend.open(d, w -> {}), h.entered, h.interrupted, h.release,
          h.teardownsDuringCall::get, d::live);
    } catch (CudaUnavailableException e) {
      throw new AssertionError(e);
    }
  }

  /** A CUDA backend over a fresh fake driver. */
  public static CudaBackend backend(int gpus, long memory) {
    try {
      return CudaBackend.open(driver(gpus, memory), w -> {});
    } catch (CudaUnavailableException e) {
      throw new AssertionError(e);
    }
  }
}
