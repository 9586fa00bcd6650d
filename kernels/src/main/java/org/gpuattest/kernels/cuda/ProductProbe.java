package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.CudaDriver.Function;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;

/**
 * Before a device uses a tensor-core product kernel, it multiplies one small case with it and
 * compares every bit of C with the CPU reference; any difference keeps the device off that
 * kernel, and {@link ProductChoice} says so. The case is a 2 x 2 grid of the kernel's blocks
 * ({@link #size}: n = 128 for matmul_dmma, 256 for matmul_dmma_wide), so every warp, fragment
 * position and block index is exercised. The order of mma.m8n8k4.f64's additions was
 * measured on an H100, not promised by NVIDIA for every GPU. The probe launches the monitored
 * entry, the one the iterations run, so what it vouches for is what runs; a kernel that faults
 * in it is reported with its own error ({@link #agrees}), and the device resets its GPU's
 * context and goes on without that kernel (CudaDevice).
 */
final class ProductProbe {
  private static final PhiloxKey KEY = new PhiloxKey(0x70be, 0xd33a);

  private ProductProbe() {}

  /**
   * Raises a kernel's dynamic shared memory limit to what it takes, where that is above the
   * 48 KiB default (matmul_dmma_wide). A GPU that refuses (its blocks cannot have that much:
   * CUDA_ERROR_INVALID_VALUE) is noted in {@code refused}, and {@link #whyNot} reports it.
   */
  static void allowSharedMemory(CudaDriver driver, Kernel k, Function function,
      Map<Kernel, String> refused) throws CudaException {
    if (k.dynamicSharedBytes <= KernelGeometry.DEFAULT_MAX_DYNAMIC_SHARED_BYTES) {
      return;
    }
    try {
      driver.setMaxDynamicSharedBytes(function, k.dynamicSharedBytes);
    } catch (CudaException e) {
      if (e.code() != CudaException.INVALID_VALUE) {
        throw e;
      }
      refused.put(k, e.getMessage());
    }
  }

  /**
   * The probe of tensor-core kernel {@code k} on a GPU: empty when it gives the CPU's bits,
   * else why it does not run there.
   *
   * @throws CudaException a driver call failed; where the kernel faulted ({@link
   *     CudaException#poisonsContext}) it is that fault, not a later call's echo of it
   */
  static Optional<String> whyNot(CudaDriver driver, CudaDriver.Stream stream,
      Map<Kernel, Function> functions, Map<Kernel, String> sharedRefused, ProductKernel k)
      throws CudaException {
    for (Kernel entry : new Kernel[] {k.monitored, k.unmonitored}) {
      String refused = sharedRefused.get(entry);
      if (refused != null) {
        return Optional.of("cannot have its " + entry.dynamicSharedBytes + " bytes of shared"
            + " memory per block on this GPU (" + refused + ")");
      }
    }
    if (agrees(driver, stream, functions.get(Kernel.PHILOX_FILL), k,
        functions.get(k.monitored))) {
      return Optional.empty();
    }
    return Optional.of("differs from the CPU reference on a test case");
  }

  /** The verdict on a kernel whose probe faulted with {@code fault} (its original error). */
  static String faulted(CudaException fault) {
    return "faulted on a test case (" + fault.getMessage() + "); the GPU's context was reset";
  }

  /** The probe's n for a kernel: two of its tiles a side. */
  static int size(ProductKernel kernel) {
    return 2 * kernel.tile;
  }

  /**
   * Whether {@code kernel}'s C equals the CPU's, bit for bit, on the probe case, computed by
   * {@code function}: its monitored entry, the one the iterations launch, with SM counters of
   * the probe's own.
   *
   * @throws CudaException the first failure: a fault found at the wait, never replaced by the
   *     frees after it, which fail alike in a poisoned context (they are added as suppressed)
   */
  static boolean agrees(CudaDriver driver, CudaDriver.Stream stream, Function fill,
      ProductKernel kernel, Function function) throws CudaException {
    int n = size(kernel);
    long bytes = (long) n * n * Double.BYTES;
    long monitorBytes = (long) KernelGeometry.MONITOR_SLOTS * Long.BYTES;
    List<DevicePointer> held = new ArrayList<>();
    boolean same;
    try {
      DevicePointer a = hold(held, driver.allocate(bytes));
      DevicePointer b = hold(held, driver.allocate(bytes));
      DevicePointer c = hold(held, driver.allocate(bytes));
      DevicePointer smBlocks = hold(held, driver.allocate(monitorBytes));
      DevicePointer smBusy = hold(held, driver.allocate(monitorBytes));
      driver.zero(smBlocks, monitorBytes, stream);
      driver.zero(smBusy, monitorBytes, stream);
      long pairs = (long) n * n / 2;
      driver.launch(fill, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), 0, stream, a,
          pairs, KEY.k0(), KEY.k1(), 0, 0, 0);
      driver.launch(fill, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), 0, stream, b,
          pairs, KEY.k0(), KEY.k1(), 0, 0, 1);
      driver.launch(function, kernel.grid(n), kernel.block(), kernel.dynamicSharedBytes(),
          stream, a, b, c, n, smBlocks, smBusy);
      driver.synchronize(stream);
      byte[] got = new byte[(int) bytes];
      driver.copyToHost(got, c);
      same = equalsReference(got, n);
    } catch (CudaException | RuntimeException e) {
      free(driver, held, e);
      throw e;
    }
    free(driver, held, null);
    return same;
  }

  private static DevicePointer hold(List<DevicePointer> held, DevicePointer p) {
    held.add(p);
    return p;
  }

  /**
   * Frees {@code held}, last first. After {@code failure} every error is added to it as
   * suppressed; without one, the first error is thrown once all were tried.
   */
  private static void free(CudaDriver driver, List<DevicePointer> held, Exception failure)
      throws CudaException {
    CudaException first = null;
    for (int i = held.size() - 1; i >= 0; i--) {
      try {
        driver.free(held.get(i));
      } catch (CudaException e) {
        if (failure != null) {
          failure.addSuppressed(e);
        } else if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static boolean equalsReference(byte[] got, int n) {
    double[] expected = new double[n * n];
    CanonicalProduct.multiply(Operands.matrixA(KEY, 0, 0, n), n, Operands.matrixB(KEY, 0, n),
        n, expected);
    ByteBuffer g = ByteBuffer.wrap(got).order(ByteOrder.LITTLE_ENDIAN);
    for (int e = 0; e < expected.length; e++) {
      if (Double.doubleToRawLongBits(expected[e]) != g.getLong(8 * e)) {
        return false;
      }
    }
    return true;
  }
}
