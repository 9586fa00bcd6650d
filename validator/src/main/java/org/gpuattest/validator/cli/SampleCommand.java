package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gpuattest.common.message.MessageInput;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.SessionFile;
import org.gpuattest.validator.Validator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "sample", description = {
    "Record the prover's commitment and print the opening request (base64).",
    "Notes the commitment's arrival time, then draws the secret sampling seed and",
    "the rows to open. A session takes one commitment, for its own challenge; the",
    "session file is locked while it changes."},
    exitCodeList = {ValidatorCli.EXIT_OK, ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class SampleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;

  @Option(names = "--session", required = true, paramLabel = "FILE",
      description = "The session file from 'validator challenge'.")
  Path session;

  @Option(names = "--commitment", required = true, paramLabel = "<B64|@file|->",
      description = "The prover's commitment: base64 text, @file, or - for stdin.")
  String commitment;

  @Override
  public Integer call() throws Exception {
    Environment env = parent.env;
    String text = MessageInput.read("commitment", commitment, parent.in);
    Validator v = new Validator(env.profiles(), null, env.random(), env.clock());
    Session next = SessionFile.update("--session", session, s -> v.sample(s, text));
    spec.commandLine().getOut().println(next.request());
    return 0;
  }
}
