package org.gpuattest.attestor.cli;

import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.common.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "selftest", description = "Compare every GPU root with the CPU backend, bit for bit (needs a GPU).")
final class SelftestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("attestor selftest: needs a GPU: " + Backends.NO_CUDA);
    return ExitCodes.RUNTIME;
  }
}
