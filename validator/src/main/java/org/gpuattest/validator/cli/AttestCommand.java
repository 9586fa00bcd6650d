package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ProverProcess;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "attest", description = {
    "The whole exchange in one command: issue a challenge, run the prover's 'prove' and",
    "'open' with the messages on its stdin, verify, and print the verdict."})
final class AttestCommand implements Callable<Integer> {
  /** Time the prover gets to answer an opening request, on top of one matrix per sample. */
  static final Duration OPEN_ALLOWANCE = Duration.ofMinutes(10);

  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;
  @Mixin ChallengeOptions challenge;
  @Mixin VerifyOptions verify;

  @Option(names = "--prover", required = true, paramLabel = "CMD",
      description = "The prover command; 'prove' or 'open' is appended, e.g."
          + " \"java -jar attestor/target/attestor.jar\" or \"ssh gpu1 /opt/attestor/bin/attestor\".")
  String prover;

  @Option(names = "--session", paramLabel = "FILE",
      description = "Also keep the session in FILE (default: kept in memory only).")
  Path session;

  @Override
  public Integer call() throws Exception {
    Environment env = parent.env;
    var err = spec.commandLine().getErr();
    Validator v = new Validator(env.profiles(), verify.replay(), env.random(), env.clock());
    ProverProcess process = new ProverProcess(prover, err);
    Session s = v.challenge(challenge.request());
    save(s);
    Challenge c = s.decodedChallenge().value();
    err.printf("validator: challenge %s: %d x %s, n=%d, T=%d, %d samples%n", c.id(),
        c.devices(), c.model(), c.dim(), c.iterations(), c.samples());
    err.flush();
    Duration untilExpiry = Duration.between(env.clock().instant(), c.expires());
    String commitment = process.call("prove", "--challenge", s.challenge(),
        untilExpiry.plusSeconds(5));
    s = v.sample(s, commitment.trim());
    save(s);
    err.printf("validator: commitment received at %s; asking for %d rows%n", s.receivedAt(),
        s.decodedRequest().samples().size());
    err.flush();
    String openings = process.call("open", "--request", s.request(),
        untilExpiry.plus(OPEN_ALLOWANCE));
    Verdict verdict = v.verify(s, openings.trim(), verify.options());
    VerifyCommand.print(spec, verdict, verify.json);
    return verdict.passed() ? ExitCodes.OK : ExitCodes.REJECTED;
  }

  private void save(Session s) throws java.io.IOException {
    if (session != null) {
      s.save(session);
    }
  }
}
