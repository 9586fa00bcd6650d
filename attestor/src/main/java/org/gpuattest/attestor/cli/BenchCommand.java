package org.gpuattest.attestor.cli;

import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.common.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "bench", description = "Measure the canonical kernel against cuBLAS on this GPU (needs a GPU).")
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("attestor bench: needs a GPU: " + Backends.NO_CUDA);
    return ExitCodes.RUNTIME;
  }
}
