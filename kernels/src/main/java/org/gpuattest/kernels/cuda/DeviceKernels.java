package org.gpuattest.kernels.cuda;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cuda.CudaDriver.Function;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;

/**
 * The kernels one device has loaded in its GPU's primary context, and what keeps that context
 * usable when a tensor-core kernel's probe faults. A fault (CUDA_ERROR_ILLEGAL_ADDRESS,
 * LAUNCH_FAILED, ...) poisons the whole context: cuda.h says every later call in it returns
 * the same error, frees included, until the primary context is reset. So the GPU's primary
 * context is reset (cuDevicePrimaryCtxReset) and opened anew without that kernel before
 * anything else runs in it, and the fault, with its own error, is that kernel's verdict
 * ({@link ProductChoice}). Every other device on the GPU sees the reset counted there and
 * opens the context anew too before its next probe or choice.
 */
final class DeviceKernels {
  private final CudaDriver driver;
  private final int ordinal;
  private final String computeCapability;
  private final DeviceResources res;
  private final ProductChoice choice;
  private final Map<Kernel, Function> functions = new EnumMap<>(Kernel.class);
  /** Kernels whose dynamic shared memory this GPU refused, with the driver's words. */
  private final Map<Kernel, String> sharedRefused = new EnumMap<>(Kernel.class);
  /** The GPU's context resets ({@link ProductChoice#resets}) as of when this one opened it. */
  private int resetsSeen;

  DeviceKernels(CudaDriver driver, int ordinal, String computeCapability, DeviceResources res,
      ProductChoice choice) {
    this.driver = driver;
    this.ordinal = ordinal;
    this.computeCapability = computeCapability;
    this.res = res;
    this.choice = choice;
  }

  /** Opens the device's resources and loads every kernel its GPU can run. */
  void open() throws CudaException, BackendException {
    resetsSeen = choice.resets(ordinal);
    res.open();
    load(null);
  }

  Function function(Kernel k) {
    return functions.get(k);
  }

  /** Forgets the functions (the resources' close unloads their modules). */
  void clear() {
    functions.clear();
    sharedRefused.clear();
  }

  /** Every kernel this GPU can run, but {@code without}'s two entries (null: none). */
  private void load(ProductKernel without) throws CudaException, BackendException {
    for (Kernel k : Kernel.values()) {
      boolean left = without != null && (k == without.monitored || k == without.unmonitored);
      if (!left && ProductKernel.loadable(k, computeCapability)) {
        functions.put(k, driver.function(res.module(k.ptxFile), k.entry));
        ProductProbe.allowSharedMemory(driver, k, functions.get(k), sharedRefused);
      }
    }
  }

  /**
   * {@link ProductProbe} of {@code k}, under the GPU's probe lock ({@link ProductChoice}); a
   * fault resets the context as the class comment says, and is the verdict.
   */
  Optional<String> probe(ProductKernel k) throws CudaException {
    reopenIfResetElsewhere();
    try {
      return ProductProbe.whyNot(driver, res.stream(), functions, sharedRefused, k);
    } catch (CudaException fault) {
      if (!fault.poisonsContext()) {
        throw fault;
      }
      try {
        driver.resetPrimaryContext(ordinal);
        choice.countReset(ordinal);
        reopen(k);
      } catch (CudaException again) {
        throw again.because("after " + k.monitored.entry + " faulted in its probe ("
            + fault.getMessage() + ")");
      }
      return Optional.of(ProductProbe.faulted(fault));
    }
  }

  /** Opens the context anew where another device's probe reset it since this one opened it. */
  void reopenIfResetElsewhere() throws CudaException {
    if (res.isOpen() && choice.resets(ordinal) != resetsSeen) {
      reopen(null);
    }
  }

  /** Opens the context anew after a reset: the handles from before died with it, buffers too. */
  private void reopen(ProductKernel without) throws CudaException {
    clear();
    resetsSeen = choice.resets(ordinal);
    res.reopenAfterReset();
    try {
      load(without);
    } catch (BackendException e) {
      // The same PTX files loaded a moment ago, before the reset.
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
