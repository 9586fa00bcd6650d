package org.gpuattest.validator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.Limits;
import org.gpuattest.common.cli.NewFiles;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.Counts;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.ProverFailure;
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
    "Run the whole exchange with a prover command and print the verdict.",
    "Issues a challenge, runs the prover's 'prove' and 'open' with each message as",
    "the first line of its stdin, and verifies. A prover that exits with an error,",
    "overruns its deadline or answers with anything but the message asked for fails",
    "the attestation (exit 1, with a verdict naming what it did); problems on the",
    "validator's side are exit 3."})
final class AttestCommand implements Callable<Integer> {
  /** Time the prover gets to answer 'prove' after the challenge expires (default). */
  static final Duration PROVE_GRACE = Duration.ofSeconds(5);
  /** Time the prover gets for 'open' on top of the challenge's lifetime (default). */
  static final Duration OPEN_ALLOWANCE = Duration.ofMinutes(10);
  /** Where this exchange starts the validator's clock: at the issue, until the ready/go start. */
  static final ChallengeIssuer.TimedFrom TIMED_FROM = ChallengeIssuer.TimedFrom.ISSUE;

  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;
  @Mixin ChallengeOptions challenge;
  @Mixin VerifyOptions verify;

  @Option(names = "--prover", required = true, paramLabel = "CMD",
      description = "The prover command, run by /bin/sh, for example \"java -jar"
          + " attestor/target/attestor.jar\" or \"ssh gpu1 /opt/attestor/bin/attestor\"."
          + " 'prove --challenge - " + ProverProcess.WATCH_STDIN + "' or 'open --request - "
          + ProverProcess.WATCH_STDIN + "' is appended.")
  String prover;

  @Option(names = "--prove-timeout", paramLabel = "SECONDS",
      description = "How long the prover may take for 'prove' (default: until the challenge"
          + " expires, plus 5 s).")
  Long proveTimeout;

  @Option(names = "--open-timeout", paramLabel = "SECONDS",
      description = "How long the prover may take for 'open' (default: the challenge's"
          + " lifetime plus 600 s).")
  Long openTimeout;

  @Option(names = "--session", paramLabel = "FILE",
      description = "Also keep the session in FILE, new, in a folder that exists (default:"
          + " kept in memory only).")
  Path session;

  @Override
  public Integer call() throws Exception {
    Environment env = parent.env;
    PrintWriter err = spec.commandLine().getErr();
    // Everything on the validator's side is checked before a prover is asked for any work.
    if (prover.isBlank()) {
      throw new BadMessageException("--prover: the command is empty");
    }
    positive("--prove-timeout", proveTimeout);
    positive("--open-timeout", openTimeout);
    VerifyOptions.Prepared prepared = verify.prepare();
    if (session != null) {
      NewFiles.checkCreatable("--session", session, ChallengeCommand.ONE_USE);
    }
    Validator v = new Validator(env.profiles(), prepared.replay(), env.random(), env.clock());
    Session s = challenge.issue(v, TIMED_FROM, verify.allowCpu);
    if (session != null) {
      NewFiles.createPrivate("--session", session, Json.write(s), ChallengeCommand.ONE_USE);
    }
    Challenge c = s.decodedChallenge().value();
    Duration lifetime = Duration.between(env.clock().instant(), c.expires());
    Duration proveDeadline = proveTimeout != null ? Duration.ofSeconds(proveTimeout)
        : lifetime.plus(PROVE_GRACE);
    Duration openDeadline = openTimeout != null ? Duration.ofSeconds(openTimeout)
        : lifetime.plus(OPEN_ALLOWANCE);
    err.printf("validator: challenge %s: %d x %s, n=%d, T=%d, %s; expires at %s (in %d s)%n",
        c.id(), c.devices(), c.model(), c.dim(), c.iterations(),
        Counts.count(c.samples(), "sample"), c.expiresAt(), lifetime.toSeconds());
    err.printf("validator: the prover has %d s to answer 'prove' and %d s for 'open'%n",
        proveDeadline.toSeconds(), openDeadline.toSeconds());
    err.flush();
    ProverProcess process = new ProverProcess(prover, err, env.clock());
    Verdict verdict;
    try {
      verdict = exchange(v, s, process, prepared, proveDeadline, openDeadline, err);
    } catch (ProverFailure f) {
      err.printf("validator: the prover failed at '%s' (%s)%n", f.step(), f.check());
      verdict = f.verdict(c.id());
    }
    VerifyCommand.print(spec, verdict, verify.json);
    return verdict.passed() ? ExitCodes.OK : ExitCodes.REJECTED;
  }

  private Verdict exchange(Validator v, Session issued, ProverProcess process,
      VerifyOptions.Prepared prepared, Duration proveDeadline, Duration openDeadline,
      PrintWriter err) throws Exception {
    ProverProcess.Answer commitment =
        process.call("prove", "--challenge", issued.challenge(), proveDeadline);
    Session s;
    try {
      s = v.sample(issued, commitment.text(), commitment.receivedAt());
    } catch (BadMessageException e) {
      throw ProverFailure.unusable("prove", "commitment", e);
    }
    if (session != null) {
      s.save(session);
    }
    Instant issuedAt = Instant.parse(s.issuedAt());
    err.printf("validator: commitment arrived %.3f s after the challenge was issued; asking"
        + " for %s%n", Duration.between(issuedAt, s.received()).toNanos() / 1e9,
        Counts.count(s.decodedRequest().samples().size(), "row"));
    err.flush();
    ProverProcess.Answer openings = process.call("open", "--request", s.request(), openDeadline);
    try {
      return v.verify(s, openings.text(), prepared.options());
    } catch (BadMessageException e) {
      throw ProverFailure.unusable("open", "openings", e);
    }
  }

  /** A deadline, like a challenge's lifetime, is 1 s to a week. */
  private static void positive(String option, Long seconds) {
    if (seconds != null) {
      Limits.range(option, seconds, 1, ChallengeIssuer.MAX_TTL.toSeconds());
    }
  }
}
