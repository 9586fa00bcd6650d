package org.gpuattest.attestor.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.Opener;
import org.gpuattest.attestor.ProverState;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.MessageInput;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "open",
    description = "Answer a validator's opening request; prints the openings (base64).")
final class OpenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Option(names = "--request", required = true, paramLabel = "<B64|@file|->",
      description = "The opening request: base64 text, @file, or - for stdin.")
  String request;

  @Option(names = "--state", paramLabel = "DIR",
      description = "Prover state folder used by 'prove' (same default).")
  Path state;

  @Override
  public Integer call() throws Exception {
    OpeningRequest r = MessageCodec.decode("request",
        MessageInput.read("request", request, parent.in), OpeningRequest.class).value();
    Path root = StateOption.orDefault(state != null ? state : parent.state);
    ProverState loaded = ProverState.load(root, r.commitmentDigest());
    Openings o = new Opener(Backends.forState(loaded.meta().backend())).open(r, loaded);
    spec.commandLine().getOut().println(MessageCodec.encode(o));
    return 0;
  }
}
