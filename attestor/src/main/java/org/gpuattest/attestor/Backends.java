package org.gpuattest.attestor;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.cpu.CpuBackend;
import org.gpuattest.kernels.cuda.CudaBackend;
import org.gpuattest.kernels.cuda.CudaUnavailableException;
import org.gpuattest.kernels.cuda.ProductKernel;

/**
 * Picks the backend a command asked for: auto (CUDA when a usable GPU exists, else the CPU
 * backend with a warning), cuda (or a one-line refusal naming what is missing) or cpu.
 */
public final class Backends {
  public enum Choice { AUTO, CUDA, CPU }

  /**
   * Which product kernel CUDA devices run (--product-kernel, the config's productKernel): each
   * device's own choice (auto: the fastest whose probe agrees, FFMA at last), or one forced,
   * with no fallback ({@link CudaBackend#withProductKernel}).
   */
  public enum ProductKernelChoice {
    AUTO, FFMA, DMMA, DMMA_WIDE;

    /** Every spelling, for messages. */
    public static final String SPELLINGS = "auto, ffma, dmma or dmma-wide";

    /** As the option and the config file spell it: auto, ffma, dmma, dmma-wide. */
    public String spelling() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The choice spelled {@code s}, exactly; empty for any other text. */
    public static Optional<ProductKernelChoice> parse(String s) {
      for (ProductKernelChoice c : values()) {
        if (c.spelling().equals(s)) {
          return Optional.of(c);
        }
      }
      return Optional.empty();
    }

    /** The kernel forced; null for auto. */
    public ProductKernel kernel() {
      return switch (this) {
        case AUTO -> null;
        case FFMA -> ProductKernel.FFMA;
        case DMMA -> ProductKernel.DMMA;
        case DMMA_WIDE -> ProductKernel.DMMA_WIDE;
      };
    }
  }

  /** How the CUDA backend is opened; tests give a fake driver. */
  public interface CudaOpener {
    CudaBackend open(PrintWriter warnings) throws CudaUnavailableException;
  }

  /** This host's driver, through JCuda. */
  public static final CudaOpener REAL = w -> CudaBackend.open(line -> {
    w.println("attestor: " + line);
    w.flush();
  });

  private Backends() {}

  public static Backend select(Choice choice, PrintWriter progress) throws BackendException {
    return select(choice, progress, REAL);
  }

  /** As {@link #select(Choice, PrintWriter)}, with CUDA opened by {@code cuda}. */
  public static Backend select(Choice choice, PrintWriter progress, CudaOpener cuda)
      throws BackendException {
    switch (choice) {
      case CPU:
        return CpuBackend.withAvailableProcessors();
      case CUDA:
        try {
          return cuda.open(progress);
        } catch (CudaUnavailableException e) {
          throw new BackendException("cuda backend: " + e.getMessage());
        }
      case AUTO:
      default:
        try {
          return cuda.open(progress);
        } catch (CudaUnavailableException e) {
          progress.println("attestor: no usable GPU (" + e.getMessage() + "); using the exact"
              + " CPU backend (validators reject cpu commitments unless --allow-cpu)");
          progress.flush();
          return cpu(progress);
        }
    }
  }

  /**
   * The CPU backend where CUDA was wanted but is not there, after one line saying which CPU
   * kernel it runs (and why, for the plain one; both, with the work that decides, where the
   * choice depends on the work): the fallback's cost is then stated with it. An explicit
   * {@code --backend cpu} stays quiet; {@code attestor devices} names the kernel, and the
   * prover's line on the challenge the one chosen for its work ({@link Prover#prepare}).
   */
  private static Backend cpu(PrintWriter progress) throws BackendException {
    try {
      progress.println("attestor: " + CpuKernels.policy());
    } catch (IllegalStateException e) {
      throw new BackendException("cpu backend: " + e.getMessage());
    }
    progress.flush();
    return CpuBackend.withAvailableProcessors();
  }

  /** The backend that made a stored commitment, for opening it. */
  public static Backend forState(String name, PrintWriter progress) throws BackendException {
    return forState(name, progress, REAL);
  }

  /** As {@link #forState(String, PrintWriter)}, with CUDA opened by {@code cuda}. */
  public static Backend forState(String name, PrintWriter progress, CudaOpener cuda)
      throws BackendException {
    if (name.equals(CpuBackend.NAME)) {
      return CpuBackend.withAvailableProcessors();
    }
    if (name.equals(CudaBackend.NAME)) {
      return select(Choice.CUDA, progress, cuda);
    }
    throw new BackendException("the state names an unknown backend '" + name + "'");
  }

  /**
   * The device that computed device g of a commitment: on CUDA the GPU with the UUID the
   * commitment reports (the driver's order can change between prove and open, for example
   * with CUDA_VISIBLE_DEVICES); elsewhere the ordinal it ran on.
   *
   * @throws BackendException that GPU is not on this host any more
   */
  static Device deviceFor(Backend backend, List<Device> devices, int ordinal, String uuid)
      throws BackendException {
    if (backend instanceof CudaBackend && uuid != null) {
      return ((CudaBackend) backend).deviceWithUuid(uuid).orElseThrow(() ->
          new BackendException("cuda backend: the GPU that made this commitment (" + uuid
              + ") is not on this host now; open on the host and GPUs that proved"));
    }
    return devices.get(ordinal);
  }
}
