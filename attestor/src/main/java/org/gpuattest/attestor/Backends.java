package org.gpuattest.attestor;

import java.io.PrintWriter;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cpu.CpuBackend;

/** Picks the backend a command asked for: auto, cuda or cpu. */
public final class Backends {
  /** Why there is no CUDA backend yet; shown wherever a GPU is asked for. */
  public static final String NO_CUDA =
      "the CUDA backend is not in this build yet (it arrives with the next release);"
          + " the exact CPU backend is available with --backend cpu";

  public enum Choice { AUTO, CUDA, CPU }

  private Backends() {}

  public static Backend select(Choice choice, PrintWriter progress) throws BackendException {
    switch (choice) {
      case CPU:
        return CpuBackend.withAvailableProcessors();
      case CUDA:
        throw new BackendException("cuda backend: " + NO_CUDA);
      case AUTO:
      default:
        progress.println("attestor: no GPU backend available, using the exact CPU backend"
            + " (validators reject cpu commitments unless --allow-cpu)");
        progress.flush();
        return CpuBackend.withAvailableProcessors();
    }
  }

  /** The backend that made a stored commitment, for opening it. */
  public static Backend forState(String name) throws BackendException {
    if (name.equals(CpuBackend.NAME)) {
      return CpuBackend.withAvailableProcessors();
    }
    throw new BackendException(name + " backend: " + NO_CUDA);
  }
}
