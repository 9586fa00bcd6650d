package org.gpuattest.validator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.Limits;
import org.gpuattest.common.cli.NewFiles;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.MemoryStep;
import org.gpuattest.validator.ProverConversation;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.ProverProcess;
import org.gpuattest.validator.ReadyGo;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.EvidenceArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "attest", description = {
    "Run the whole exchange with a prover command and print the verdict.",
    "Issues a challenge and runs one prover process, 'prove --conversation': it is",
    "told everything but the seed, allocates, says ready, and the clock starts when",
    "the seed is sent; the same process then opens the rows asked for, and the",
    "validator verifies (docs/protocol.md section 3.2). Where the model's profile has",
    "a memory bandwidth, the prover also keeps its last products resident and, after",
    "the commitment, streams them through passes keyed by a fresh memory seed, timed",
    "on the validator's clock (--no-memory skips it). A prover that exits with an",
    "error, overruns its deadline or answers with anything but the message asked",
    "for fails the attestation (exit 1, with a verdict naming what it did); problems",
    "on the validator's side are exit 3. Every exchange, a failed one too, is kept in",
    "the evidence archive (--archive); if that fails, the verdict is printed and the",
    "exit is 3."},
    exitCodeList = {"0:the verdict passed",
        "1:the verdict failed, or the prover failed (the verdict names what it did)",
        ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class AttestCommand implements Callable<Integer> {
  /** Time the prover gets to answer 'prove' after the challenge expires (default). */
  static final Duration PROVE_GRACE = Duration.ofSeconds(5);
  /** Time the prover gets for 'open' on top of the challenge's lifetime (default). */
  static final Duration OPEN_ALLOWANCE = Duration.ofMinutes(10);

  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;
  @Mixin ChallengeOptions challenge;
  @Mixin VerifyOptions verify;
  @Mixin ArchiveOptions archive;

  @Option(names = "--prover", required = true, paramLabel = "CMD",
      description = "The prover command, run by /bin/sh, for example \"java -jar"
          + " attestor/target/attestor.jar\" or \"ssh gpu1 /opt/attestor/bin/attestor\"."
          + " 'prove --conversation' is appended (with --separate: 'prove --challenge - "
          + ProverProcess.WATCH_STDIN + "', then 'open --request - "
          + ProverProcess.WATCH_STDIN + "').")
  String prover;

  @Option(names = "--separate",
      description = "Run the prover twice, 'prove' then 'open', each given one message, as"
          + " provers without 'prove --conversation' need; the timing window then starts at"
          + " the challenge's issue and includes the prover's start-up.")
  boolean separate;

  @Option(names = "--no-memory",
      description = "No memory phase: the prover keeps no products after computing them, and"
          + " the verdict says nothing about the GPUs' memory (docs/protocol.md section 2.2)."
          + " Implied by --separate.")
  boolean noMemory;

  @Option(names = "--prepare-timeout", paramLabel = "SECONDS",
      description = "How long the prover may take from 'prepare' to 'ready': its start-up,"
          + " outside the clock (default: 60 s).")
  Long prepareTimeout;

  @Option(names = "--prove-timeout", paramLabel = "SECONDS",
      description = "How long the prover may take for 'prove', counted from the seed's"
          + " sending (default: until the challenge expires, plus 5 s).")
  Long proveTimeout;

  @Option(names = "--open-timeout", paramLabel = "SECONDS",
      description = "How long the prover may take for 'open' (default: the challenge's"
          + " lifetime plus 600 s).")
  Long openTimeout;

  @Option(names = "--session", paramLabel = "FILE",
      description = "Also keep the session in FILE, new, in a folder that exists (default:"
          + " kept in memory only). FILE holds the seed, so it is written (mode 0600) only"
          + " once the seed has been sent, and not at all when the prover fails before.")
  Path session;

  /** The session as far as the exchange got, and the openings if they came: for the archive. */
  private Session latest;
  /** Whether --session FILE has been created: it is, once the seed has gone out. */
  private boolean sessionWritten;
  private String openingsText;
  /** When the verdict was made; the verification's clock reads this one instant. */
  private Instant verifiedAt;

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
    positive("--prepare-timeout", prepareTimeout);
    if (separate && prepareTimeout != null) {
      throw new BadMessageException("--prepare-timeout: there is no 'prepare' with --separate");
    }
    VerifyOptions.Prepared prepared = verify.prepare();
    Optional<EvidenceArchive> keptIn = archive.prepare(challenge.signingKey,
        prepared.replay().dir(), env);
    if (session != null) {
      NewFiles.checkCreatable("--session", session, ChallengeCommand.ONE_USE);
    }
    Validator v = new Validator(env.profiles(), prepared.replay(), env.random(), env.clock(),
        prepared.threads());
    // The conversation starts the clock at the go (start-up outside it); --separate at issue.
    // The preparation is part of the challenge's lifetime: a --ttl too short for it and the
    // window is refused here, before a prover starts.
    Session s = challenge.issue(v, separate ? ChallengeIssuer.TimedFrom.ISSUE
        : ChallengeIssuer.TimedFrom.GO, prepareDeadline(), verify.allowCpu,
        !separate && !noMemory);
    latest = s; // --session FILE is written only once the seed has gone out: keep()
    Challenge c = s.decodedChallenge().value();
    Duration lifetime = Duration.between(env.clock().instant(), c.expires());
    Duration proveDeadline = proveTimeout != null ? Duration.ofSeconds(proveTimeout)
        : lifetime.plus(PROVE_GRACE);
    Duration openDeadline = openTimeout != null ? Duration.ofSeconds(openTimeout)
        : lifetime.plus(OPEN_ALLOWANCE);
    err.printf("validator: challenge %s: %d x %s, n=%d, T=%d, %s%s; expires at %s (in %d s)%n",
        c.id(), c.devices(), c.model(), c.dim(), c.iterations(),
        Counts.count(c.samples(), "sample"), c.memory() == null ? ""
            : "; memory phase: " + ChallengeMemory.describe(c.memory()), c.expiresAt(),
        lifetime.toSeconds());
    err.printf("validator: the prover has %d s to answer 'prove' and %d s for 'open'%n",
        proveDeadline.toSeconds(), openDeadline.toSeconds());
    err.flush();
    Verdict verdict;
    ArchiveRecord.ProverFailureNote failure = null;
    try {
      verdict = separate
          ? exchange(v, s, new ProverProcess(prover, err, env.clock()), prepared,
              proveDeadline, openDeadline, err)
          : converse(v, s, env, prepared, proveTimeout, openDeadline, err);
    } catch (ProverFailure f) {
      err.println("validator: " + f.describe());
      verifiedAt = env.clock().instant();
      // After a commitment (a failure at 'open'), the verdict still says whose it was.
      verdict = f.verdict(c, v.summary(latest, verifiedAt).orElse(null));
      failure = new ArchiveRecord.ProverFailureNote(f.step(), f.check());
    }
    VerifyCommand.print(spec, verdict, verify.json);
    archive.keepAndSay(keptIn, new ArchiveOptions.Decided(ArchiveRecord.ATTEST, latest,
        openingsText, verdict, verifiedAt, prepared, challenge.weakTiming, failure,
        env.profiles()),
        env.clock().instant(), err);
    return verdict.passed() ? ExitCodes.OK : ExitCodes.REJECTED;
  }

  /**
   * The time the prover gets from 'prepare' to 'ready' (--prepare-timeout, else {@link
   * ChallengeIssuer#DEFAULT_PREPARE}): its deadline in the conversation, and part of the
   * challenge's lifetime.
   */
  private Duration prepareDeadline() {
    return prepareTimeout != null ? Duration.ofSeconds(prepareTimeout)
        : ChallengeIssuer.DEFAULT_PREPARE;
  }

  /**
   * One prover process from preparation to openings (docs/protocol.md §3.2); the prove
   * deadline counts from the seed's sending.
   */
  private Verdict converse(Validator v, Session issued, Environment env,
      VerifyOptions.Prepared prepared, Long proveSeconds, Duration openDeadline,
      PrintWriter err) throws Exception {
    Session s;
    ProverProcess.Answer openings;
    try (ProverConversation p = ProverConversation.start(prover, err, env.clock())) {
      s = keep(ReadyGo.start(p, issued, prepareDeadline(), env.clock(), env.random(), err,
          verify.allowCpu));
      Instant expires = s.decodedChallenge().value().expires();
      Duration proveDeadline = proveSeconds != null ? Duration.ofSeconds(proveSeconds)
          : Duration.between(Instant.parse(s.goSentAt()), expires).plus(PROVE_GRACE);
      s = sampled(v, s, p.next("go", proveDeadline), "go", err);
      if (s.awaitsMemory()) {
        // The memory seed leaves, then the session (which holds it) is kept; the memory
        // roots are due within what is left of the prove deadline (docs/protocol.md §3.2).
        s = keep(MemoryStep.send(p, s, env.clock()));
        Duration left = proveDeadline.minus(Duration.between(
            Instant.parse(s.goSentAt()), env.clock().instant()));
        s = keep(MemoryStep.receive(p, s, v, MemoryStep.deadline(left, env.profiles(),
            s.decodedChallenge().value(), PROVE_GRACE), err));
        say(s, "", err);
      }
      p.send(s.request());
      openings = p.next("open", openDeadline);
      p.finish("open");
    }
    // The prover is stopped before the verification: nothing it writes after its openings
    // is read while the rows are recomputed.
    return verified(s, openings, prepared);
  }

  private Verdict exchange(Validator v, Session issued, ProverProcess process,
      VerifyOptions.Prepared prepared, Duration proveDeadline, Duration openDeadline,
      PrintWriter err) throws Exception {
    keep(issued); // the seed goes out with the prover's start
    Session s = sampled(v, issued,
        process.call("prove", "--challenge", issued.challenge(), proveDeadline), "prove", err);
    return verified(s,
        process.call("open", "--request", s.request(), openDeadline), prepared);
  }

  /** Takes the commitment, draws the samples and keeps the session. */
  private Session sampled(Validator v, Session before, ProverProcess.Answer commitment,
      String step, PrintWriter err) throws Exception {
    Session s;
    try {
      s = v.sample(before, commitment.text(), commitment.receivedAt());
    } catch (BadMessageException e) {
      throw ProverFailure.unusable(step, "commitment", e);
    }
    Instant start = s.goSentAt() != null ? Instant.parse(s.goSentAt())
        : Instant.parse(s.issuedAt());
    if (s.awaitsMemory()) {
      // The session holds the memory seed now: kept once it has been sent (MemoryStep).
      latest = s;
      err.printf("validator: commitment arrived %.3f s after the seed was sent; sending the"
          + " memory seed%n", Duration.between(start, s.received()).toNanos() / 1e9);
      err.flush();
      return s;
    }
    keep(s);
    say(s, String.format("commitment arrived %.3f s after the %s; ",
        Duration.between(start, s.received()).toNanos() / 1e9,
        s.goSentAt() != null ? "seed was sent" : "challenge was issued"), err);
    return s;
  }

  /** How many rows are asked for, after {@code before}, and which kernel recomputes them. */
  private static void say(Session s, String before, PrintWriter err)
      throws BadMessageException {
    err.printf("validator: %sasking for %s%n", before,
        Counts.count(s.decodedRequest().samples().size(), "row"));
    // Which kernel recomputes them, so a slow verification on a JVM without the Vector API
    // says why (docs/benchmarks.md, "CPU kernels"): chosen here, for these rows, before the
    // first is recomputed (VerifyCommand.kernelsFor).
    err.println("validator: rows are recomputed with the "
        + VerifyCommand.kernelsFor(s).description());
    err.flush();
  }

  /**
   * Saves the session to --session, if given, and remembers it for the archive. The file holds
   * the seed, so it is first created (0600, never over another file) only once the seed has
   * gone out: at 'go', or with --separate as the prover starts. A prover on this host that
   * read it before then could do its work before the clock starts.
   */
  private Session keep(Session s) throws Exception {
    if (session != null) {
      if (sessionWritten) {
        s.save(session);
      } else {
        NewFiles.createPrivate("--session", session, Json.write(s), ChallengeCommand.ONE_USE);
        sessionWritten = true;
      }
    }
    latest = s;
    return s;
  }

  /**
   * Verifies with the clock fixed at one instant, recorded as the archive's verifiedAt, so a
   * re-verification with the clock fixed there repeats it exactly (docs/protocol.md §8.5).
   */
  private Verdict verified(Session s, ProverProcess.Answer openings,
      VerifyOptions.Prepared prepared) throws Exception {
    openingsText = openings.text();
    Environment env = parent.env;
    verifiedAt = env.clock().instant();
    Validator at = new Validator(env.profiles(), prepared.replay(), env.random(),
        Clock.fixed(verifiedAt, ZoneOffset.UTC), prepared.threads());
    try {
      return at.verify(s, openings.text(), prepared.options());
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
