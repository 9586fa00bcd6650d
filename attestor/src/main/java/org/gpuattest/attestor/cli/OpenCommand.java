package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.Opener;
import org.gpuattest.attestor.ProgressReporter;
import org.gpuattest.attestor.ProverState;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.kernels.cuda.ForcedKernelException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "open", description = {
    "Answer a validator's opening request; prints the openings (base64).",
    "Recomputes each requested matrix on the backend that proved it; progress goes",
    "to stderr at least every 2 s."},
    exitCodeList = {AttestorCli.EXIT_OK, AttestorCli.EXIT_BAD_INPUT, AttestorCli.EXIT_RUNTIME})
final class OpenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Option(names = "--request", required = true, paramLabel = "<B64|@file|->",
      description = "The opening request: base64 text, @file, or - for stdin.")
  String request;

  @Option(names = "--state", paramLabel = "DIR",
      description = "Prover state folder used by 'prove' (same default).")
  Path state;

  @Mixin WatchStdinOption watchStdin;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    // The config first, as in 'prove': a bad one is refused before stdin is read.
    ProverSettings settings = ProverSettings.resolve(parent, new ProverSettings.Own(null, state,
        null, List.of(), List.of()));
    Path root = settings.state();
    OpeningRequest r = MessageCodec.decode("request",
        watchStdin.read(parent, "request", "--request", request),
        OpeningRequest.class).value();
    ProverState loaded = ProverState.load(root, r.commitmentDigest());
    Openings o;
    try (StdinWatch watch = watchStdin.start(parent, err)) {
      o = watch.guard(() -> new Opener(settings.forceProductKernel(
          Backends.forState(loaded.meta().backend(), err, parent.cuda)), err,
          ProgressReporter.EVERY).open(r, loaded));
    } catch (ForcedKernelException e) {
      throw settings.refusal(e);
    }
    spec.commandLine().getOut().println(MessageCodec.encode(o));
    return 0;
  }
}
