package org.gpuattest.example;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ProverConversation;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.ProverProcess;
import org.gpuattest.validator.ReadyGo;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import org.gpuattest.validator.Workers;
import org.gpuattest.validator.check.Evidence;

/**
 * A service that attests GPU provers with the validator library, as 'validator attest' does
 * without its command line (docs/library.md): it issues a challenge, runs the prover's
 * conversation (docs/protocol.md section 3.2), samples, verifies and returns the verdict.
 */
public final class AttestationService {
  /** The prover's start-up, outside the clock; 'validator attest' allows the same. */
  private static final Duration PREPARE_TIMEOUT = Duration.ofSeconds(60);
  /** Time to answer 'go' after the challenge expires; the verdict's expiry check decides. */
  private static final Duration PROVE_GRACE = Duration.ofSeconds(5);
  /** Time to open the rows asked for, on top of the challenge's lifetime. */
  private static final Duration OPEN_ALLOWANCE = Duration.ofMinutes(10);

  private final Validator validator;
  private final Evidence.Options options;
  private final SecureRandom random = new SecureRandom();
  private final Clock clock = Clock.systemUTC();
  private final PrintWriter log;

  /**
   * @param profiles the GPU models to hold claims against: {@code GpuProfiles.bundled()}, or
   *     with an operator's file laid over it ({@code .withOverrides(file)})
   * @param replayDir where used challenge ids are kept, so no answer is accepted twice
   * @param options whether a CPU prover is accepted, and the prover's key if it is pinned
   * @param log where progress and the prover's standard error go
   * @throws IOException the replay store cannot be written: this service's fault, found
   *     before any prover does work
   */
  public AttestationService(GpuProfiles profiles, Path replayDir, Evidence.Options options,
      PrintWriter log) throws IOException {
    ReplayStore replay = new ReplayStore(replayDir);
    replay.checkUsable();
    int threads = Math.min(Runtime.getRuntime().availableProcessors(), Workers.MAX_THREADS);
    this.validator = new Validator(profiles, replay, random, clock, threads);
    this.options = options;
    this.log = log;
  }

  /**
   * Attests the prover that {@code proverCommand} starts ({@code /bin/sh} runs it with
   * "prove --conversation" appended, for example "ssh gpu1 /opt/attestor/bin/attestor").
   *
   * @return the verdict: passed, or failed with the checks that failed; a prover that
   *     exits, overruns or answers badly fails it too
   * @throws BadMessageException the request is out of range or names a model the profiles
   *     do not hold ({@link ChallengeIssuer.InvalidRequestException}): the caller's fault, no
   *     prover was started
   * @throws RuntimeFailureException the prover could not be started, or this JVM's heap
   *     cannot hold the verification: this service's fault, never the prover's
   * @throws IOException the replay store failed, or the thread was interrupted
   */
  public Verdict attest(String proverCommand, ChallengeIssuer.Request request)
      throws BadMessageException, RuntimeFailureException, IOException {
    Session issued = validator.challenge(request);
    Challenge c = issued.decodedChallenge().value();
    Duration openDeadline = Duration.between(clock.instant(), c.expires()).plus(OPEN_ALLOWANCE);
    try (ProverConversation prover = ProverConversation.start(proverCommand, log, clock)) {
      Session s = ReadyGo.start(prover, issued, PREPARE_TIMEOUT, clock, random, log,
          options.allowCpu());
      Duration proveDeadline = Duration.between(Instant.parse(s.goSentAt()), c.expires())
          .plus(PROVE_GRACE);
      ProverProcess.Answer commitment = prover.next("go", proveDeadline);
      try {
        s = validator.sample(s, commitment.text(), commitment.receivedAt());
      } catch (BadMessageException e) {
        throw ProverFailure.unusable("go", "commitment", e);
      }
      prover.send(s.request());
      ProverProcess.Answer openings = prover.next("open", openDeadline);
      prover.finish("open");
      try {
        return validator.verify(s, openings.text(), options);
      } catch (BadMessageException e) {
        throw ProverFailure.unusable("open", "openings", e);
      }
    } catch (ProverFailure f) {
      return f.verdict(c.id());
    }
  }
}
