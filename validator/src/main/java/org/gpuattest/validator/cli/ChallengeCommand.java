package org.gpuattest.validator.cli;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "challenge", description = {
    "Issue a challenge (base64, on stdout) and start a session file (mode 0600) holding",
    "its seed, issue time and the secret sampling seed."})
final class ChallengeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;
  @Mixin ChallengeOptions challenge;

  @Option(names = "--session", required = true, paramLabel = "FILE",
      description = "New session file; never overwritten.")
  Path session;

  @Override
  public Integer call() throws Exception {
    Environment env = parent.env;
    Session s = new Validator(env.profiles(), null, env.random(), env.clock())
        .challenge(challenge.request());
    try {
      AtomicFiles.createAtomically(session, Json.write(s), true);
    } catch (FileAlreadyExistsException e) {
      throw new BadMessageException("--session: " + session + " exists; a session is used once");
    }
    spec.commandLine().getOut().println(s.challenge());
    return 0;
  }
}
