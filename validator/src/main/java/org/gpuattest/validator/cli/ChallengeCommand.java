package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gpuattest.common.cli.NewFiles;
import org.gpuattest.common.json.Json;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "challenge", description = {
    "Issue a challenge (base64, on stdout) and start a session file for it.",
    "The session file (mode 0600) keeps the challenge and its issue time;",
    "'validator sample' adds the commitment and the secret sampling seed, drawn only",
    "when the commitment is in. Its clock starts at the issue, so the prover's",
    "start-up is inside the timing window and the challenge needs --weak-timing",
    "(docs/soundness.md section 7)."},
    exitCodeList = {ValidatorCli.EXIT_OK, ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class ChallengeCommand implements Callable<Integer> {
  static final String ONE_USE = "a session is used once; name a new file";

  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;
  @Mixin ChallengeOptions challenge;

  @Option(names = "--session", required = true, paramLabel = "FILE",
      description = "New session file, in a folder that exists; never overwritten.")
  Path session;

  @Override
  public Integer call() throws Exception {
    Environment env = parent.env;
    NewFiles.checkCreatable("--session", session, ONE_USE);
    Session s = challenge.issue(new Validator(env.profiles(), null, env.random(), env.clock()),
        ChallengeIssuer.TimedFrom.ISSUE, null, false);
    NewFiles.createPrivate("--session", session, Json.write(s), ONE_USE);
    spec.commandLine().getOut().println(s.challenge());
    return 0;
  }
}
