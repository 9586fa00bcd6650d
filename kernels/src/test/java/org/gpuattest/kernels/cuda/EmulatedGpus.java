package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * CUDA backends over emulated GPUs ({@link EmulatedCudaDriver}), for tests in any module: the
 * shipped PTX runs in the interpreter, so what they check is what a GPU would be given. The
 * GPUs are small H100s, so tests stay fast: "NVIDIA H100 80GB HBM3", compute capability 9.0,
 * 4 SMs and 2 GiB, behind a driver for CUDA 12.6.
 */
public final class EmulatedGpus {
  /** The model the emulated GPUs report, as the driver names an H100 SXM. */
  public static final String MODEL = "NVIDIA H100 80GB HBM3";
  public static final int SMS = 4;
  public static final long MEMORY = 2L << 30;
  /** CUDA 12.6, the driver the project's PTX is built for (ISA 8.5 and older). */
  public static final int DRIVER = 12060;

  private EmulatedGpus() {}

  /** GPU {@code index}'s properties: a UUID and PCI bus id of its own. */
  public static CudaDriver.DeviceProperties h100(int index) {
    byte[] uuid = new byte[16];
    for (int i = 0; i < 16; i++) {
      uuid[i] = (byte) (0xe0 + 0x11 * index + i);
    }
    return new CudaDriver.DeviceProperties(MODEL, uuid,
        String.format("0000:%02X:00.0", 0x18 + 0x10 * index), 9, 0, SMS, MEMORY);
  }

  /** A driver with {@code gpus} emulated H100s. */
  public static EmulatedCudaDriver driver(int gpus) {
    List<CudaDriver.DeviceProperties> list = new ArrayList<>();
    for (int i = 0; i < gpus; i++) {
      list.add(h100(i));
    }
    return new EmulatedCudaDriver(DRIVER, list);
  }

  /**
   * A backend over a driver, the driver (to inject faults) and what it still holds afterwards
   * ({@link CudaFakes.Watched#NOTHING_LIVE} when everything was given back).
   */
  public record Watched(CudaBackend backend, EmulatedCudaDriver driver, Supplier<String> live) {}

  /** A backend over {@code driver}. */
  public static Watched watched(EmulatedCudaDriver driver) {
    try {
      return new Watched(CudaBackend.open(driver, w -> {}), driver, driver::live);
    } catch (CudaUnavailableException e) {
      throw new AssertionError(e);
    }
  }

  /** A backend over {@code gpus} fresh emulated H100s. */
  public static Watched watched(int gpus) {
    return watched(driver(gpus));
  }

  /** A CUDA backend of {@code gpus} fresh emulated H100s. */
  public static CudaBackend backend(int gpus) {
    return watched(gpus).backend();
  }
}
