package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gpuattest.common.message.MessageInput;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "sample", description = {
    "Record the prover's commitment and its arrival time, and print the opening request",
    "(base64): rows chosen with the session's secret randomness."})
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
    Session s = Session.load(session);
    String text = MessageInput.read("commitment", commitment, parent.in);
    Session next = new Validator(env.profiles(), null, env.random(), env.clock()).sample(s, text);
    next.save(session);
    spec.commandLine().getOut().println(next.request());
    return 0;
  }
}
