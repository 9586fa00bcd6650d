package org.gpuattest.attestor.cli;

import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.common.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "selftest", description = "Compare every GPU root with the CPU backend, bit for bit (needs a GPU).")
final class SelftestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Override
  public Integer call() throws Exception {
    Backends.select(Backends.Choice.CUDA, spec.commandLine().getErr(), parent.cuda);
    spec.commandLine().getErr().println("attestor selftest: not in this build yet");
    return ExitCodes.RUNTIME;
  }
}
