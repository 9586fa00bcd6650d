package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.util.Counts;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;

/**
 * canonical-v1 on this host's NVIDIA GPUs through the CUDA driver API. Opening it initialises
 * the driver and reads every GPU's identity; each {@link Device} it gives out retains its GPU's
 * primary context when prepared and gives it back when closed.
 */
public final class CudaBackend implements Backend {
  public static final String NAME = DeviceReport.CUDA;

  private final CudaDriver driver;
  private final List<DeviceIdentity> gpus;
  private final Consumer<String> warnings;
  /** Each GPU's probes of the product kernels (ProductChoice), shared by its devices. */
  private final ProductChoice products;

  private CudaBackend(CudaDriver driver, List<DeviceIdentity> gpus, Consumer<String> warnings,
      ProductChoice products) {
    this.driver = driver;
    this.gpus = gpus;
    this.warnings = warnings;
    this.products = products;
  }

  /**
   * This backend with every device running {@code kernel} as its product, whatever is faster,
   * and nothing else: where it cannot run (an older GPU, n no multiple of its tile, its probe
   * differs or faults) a device refuses with {@link ForcedKernelException}.
   */
  public CudaBackend withProductKernel(ProductKernel kernel) {
    return new CudaBackend(driver, gpus, warnings, new ProductChoice(kernel));
  }

  /** Opens the backend on this host's driver (JCuda). */
  public static CudaBackend open(Consumer<String> warnings) throws CudaUnavailableException {
    return open(JCudaDriverApi.load(), warnings);
  }

  /**
   * Opens the backend over a driver: initialises it and lists the GPUs.
   *
   * @throws CudaUnavailableException no device, or the driver cannot start
   */
  public static CudaBackend open(CudaDriver driver, Consumer<String> warnings)
      throws CudaUnavailableException {
    try {
      driver.init();
      int version = driver.driverVersion();
      int count = driver.deviceCount();
      if (count == 0) {
        throw new CudaUnavailableException("no CUDA device: the NVIDIA driver (CUDA "
            + PtxLibrary.cudaRelease(version) + ") sees no GPU");
      }
      List<DeviceIdentity> gpus = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        gpus.add(identity(driver.properties(i), version));
      }
      return new CudaBackend(driver, List.copyOf(gpus), warnings, new ProductChoice());
    } catch (CudaException e) {
      if (e.code() == CudaException.NO_DEVICE) {
        throw new CudaUnavailableException("no CUDA device: " + e.getMessage());
      }
      String why = e.remedy().map(r -> r + " (" + e.getMessage() + ")").orElse(e.getMessage());
      throw new CudaUnavailableException("the CUDA driver failed to start: " + why);
    }
  }

  static DeviceIdentity identity(CudaDriver.DeviceProperties p, int driverVersion) {
    return new DeviceIdentity(p.name(), uuid(p.uuid()), p.pciBusId(),
        p.ccMajor() + "." + p.ccMinor(), p.smCount(), p.totalMemoryBytes(),
        "CUDA " + PtxLibrary.cudaRelease(driverVersion));
  }

  /** 16 UUID bytes in nvidia-smi's form, GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. */
  static String uuid(byte[] b) {
    if (b.length != 16) {
      throw new IllegalArgumentException("a GPU UUID is 16 bytes, got " + b.length);
    }
    String h = HexFormat.of().formatHex(b);
    return "GPU-" + h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16)
        + "-" + h.substring(16, 20) + "-" + h.substring(20);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * A GPU has no throwaway devices, and its host code (JCuda's first calls, the launches, the
   * events and the monitor's readout) and each kernel's first launch (lazily loaded since
   * CUDA 12.2) would otherwise run for the first time on the validator's clock.
   */
  @Override
  public boolean warmsPreparedDevices() {
    return true;
  }

  /** Every GPU of this host, in the driver's order (the ordinals --devices names). */
  public List<DeviceIdentity> gpus() {
    return gpus;
  }

  /** One device per GPU, whatever is wanted: a physical backend lists what it has. */
  @Override
  public List<Device> devices(int wanted) {
    List<Device> out = new ArrayList<>(gpus.size());
    for (int i = 0; i < gpus.size(); i++) {
      out.add(new CudaDevice(driver, i, gpus.get(i), warnings, products));
    }
    return out;
  }

  /** The GPU with this UUID (as a commitment reports it), for opening on the same GPU. */
  public Optional<Device> deviceWithUuid(String uuid) {
    for (int i = 0; i < gpus.size(); i++) {
      if (gpus.get(i).uuid().equalsIgnoreCase(uuid)) {
        return Optional.of(new CudaDevice(driver, i, gpus.get(i), warnings, products));
      }
    }
    return Optional.empty();
  }

  @Override
  public void checkFits(int devices, int n) throws BackendException {
    long need = KernelGeometry.deviceBytes(n, CudaDevice.BATCH);
    for (int i = 0; i < gpus.size(); i++) {
      DeviceIdentity d = gpus.get(i);
      if (need > d.memoryBytes()) {
        throw new BackendException("cuda backend: n=" + n + " needs " + mib(need)
            + " MiB of device memory per device; GPU " + i + " (" + d.name() + ") has "
            + mib(d.memoryBytes()) + " MiB; ask for a smaller n");
      }
    }
  }

  /**
   * Refuses, before anything is allocated, kept products a GPU cannot hold besides the job
   * (docs/protocol.md §2.2): the products and a pass's buffers ({@link CudaMemory#bytes}),
   * naming the GPU and the bytes.
   */
  @Override
  public void checkFits(int devices, int n, long keptBytes) throws BackendException {
    checkFits(devices, n);
    if (keptBytes <= 0) {
      return;
    }
    int kept = (int) (keptBytes / ((long) n * n * Double.BYTES));
    long need = KernelGeometry.deviceBytes(n, CudaDevice.BATCH) + CudaMemory.bytes(n, kept);
    for (int i = 0; i < gpus.size(); i++) {
      DeviceIdentity d = gpus.get(i);
      if (need > d.memoryBytes()) {
        throw new BackendException("cuda backend: GPU " + i + " (" + d.name() + ") cannot keep"
            + " the memory phase's " + kept + " products of n=" + n + ": with the job they"
            + " need " + mib(need) + " MiB of device memory; it has " + mib(d.memoryBytes())
            + " MiB");
      }
    }
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }

  @Override
  public String toString() {
    return NAME + " backend, " + Counts.count(gpus.size(), "GPU");
  }
}
