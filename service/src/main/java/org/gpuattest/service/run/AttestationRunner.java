package org.gpuattest.service.run;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.cli.ToolVersion;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.service.fleet.Provider;
import org.gpuattest.service.store.ArchiveIndex;
import org.gpuattest.service.store.Result;
import org.gpuattest.service.store.Store;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.MemoryStep;
import org.gpuattest.validator.ProverConversation;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.ProverProcess;
import org.gpuattest.validator.ReadyGo;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.EvidenceArchive;
import org.gpuattest.validator.check.Evidence;

/**
 * One attestation of one provider, as 'validator attest' runs it (docs/protocol.md section 3.2,
 * the ready/go conversation with its memory phase unless the fleet entry has {@code noMemory};
 * the same deadlines), with the library's calls: issue, converse, sample, the memory step,
 * verify, then keep the exchange in the evidence archive, signed, before anything is
 * indexed (where the archive cannot take it, in the {@link ArchiveSpool} until it can). A
 * prover's failure is a failed verdict, archived like any other; a stop of the service ({@link
 * Running#stop}) or a fault on its own side is never the prover's failure and is not archived
 * as one.
 */
public final class AttestationRunner {
  /** Time the prover gets to answer 'go' after the challenge expires ('attest''s default). */
  static final Duration PROVE_GRACE = Duration.ofSeconds(5);
  /** Time the prover gets for 'open' on top of the challenge's lifetime ('attest''s). */
  static final Duration OPEN_ALLOWANCE = Duration.ofMinutes(10);

  /**
   * What every attestation of this service shares.
   *
   * @param signingKey signs the challenges (provers may then trust only this validator);
   *     null for unsigned
   * @param spool keeps an exchange the archive cannot take, until it can
   * @param archiveKey signs each archived exchange
   * @param threads how many devices one verification recomputes at once
   */
  public record Settings(GpuProfiles profiles, ReplayStore replay, EvidenceArchive archive,
      ArchiveSpool spool, Ed25519PrivateKey archiveKey, Ed25519PrivateKey signingKey,
      int threads, Clock clock, SecureRandom random, PrintWriter log) {
    public Settings {
      Objects.requireNonNull(profiles, "profiles");
      Objects.requireNonNull(replay, "replay");
      Objects.requireNonNull(archive, "archive");
      Objects.requireNonNull(spool, "spool");
      Objects.requireNonNull(archiveKey, "archiveKey");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(random, "random");
      Objects.requireNonNull(log, "log");
    }
  }

  private final Settings settings;
  private final Validator validator;

  public AttestationRunner(Settings settings) {
    this.settings = settings;
    this.validator = new Validator(settings.profiles(), settings.replay(), settings.random(),
        settings.clock(), settings.threads());
  }

  /**
   * Attests {@code p} once.
   *
   * @param issued told the challenge's id as soon as it is issued, before the prover starts
   *     (the index notes it, so a crash leaves the challenge findable in the archive)
   * @param handle how the service stops it
   */
  public Outcome run(Provider p, Consumer<String> issued, Running handle) {
    Clock clock = settings.clock();
    long began = System.nanoTime();
    PrintWriter log = ProverLog.to(settings.log(), p.name());
    Session latest = null;
    String challengeId = null;
    try {
      Session s = validator.challenge(p.request().signingKey(settings.signingKey()).build());
      latest = s;
      Challenge c = s.decodedChallenge().value();
      challengeId = c.id().toLowerCase(Locale.ROOT);
      issued.accept(challengeId);
      Evidence.Options options = new Evidence.Options(p.allowCpu(), p.proverKey());
      Verdict verdict;
      ArchiveRecord.ProverFailureNote failure = null;
      String openings = null;
      Instant verifiedAt;
      Double verifySeconds = null;
      try {
        Duration openDeadline = Duration.between(clock.instant(), c.expires())
            .plus(OPEN_ALLOWANCE);
        ProverProcess.Answer answer;
        try (ProverConversation prover = ProverConversation.startUnattended(p.prover(), log,
            clock)) {
          handle.attach(prover);
          s = ReadyGo.start(prover, s, p.prepareTimeout(), clock, settings.random(), log,
              p.allowCpu());
          latest = s;
          Duration proveDeadline = Duration.between(Instant.parse(s.goSentAt()), c.expires())
              .plus(PROVE_GRACE);
          ProverProcess.Answer commitment = prover.next("go", proveDeadline);
          try {
            s = validator.sample(s, commitment.text(), commitment.receivedAt());
          } catch (BadMessageException e) {
            throw ProverFailure.unusable("go", "commitment", e);
          }
          latest = s;
          if (s.awaitsMemory()) {
            // The memory phase, as 'attest' runs it (docs/protocol.md section 3.2): the seed
            // leaves, and the roots are due within what is left of the prove deadline, at
            // least the memory window plus the grace.
            s = MemoryStep.send(prover, s, clock);
            latest = s;
            Duration left = proveDeadline.minus(Duration.between(
                Instant.parse(s.goSentAt()), clock.instant()));
            s = MemoryStep.receive(prover, s, validator, MemoryStep.deadline(left,
                settings.profiles(), c, PROVE_GRACE), log);
            latest = s;
          }
          prover.send(s.request());
          answer = prover.next("open", openDeadline);
          prover.finish("open");
        } finally {
          handle.detach();
        }
        openings = answer.text();
        verifiedAt = clock.instant();
        long v0 = System.nanoTime();
        try {
          verdict = verify(settings, s, openings, options, verifiedAt);
        } catch (BadMessageException e) {
          throw ProverFailure.unusable("open", "openings", e);
        } finally {
          verifySeconds = (System.nanoTime() - v0) / 1e9;
        }
      } catch (ProverFailure f) {
        // Stopped by the service at its deadline, or with the whole JVM (whose shutdown hook
        // stops every prover at once): the validator's side, not the prover's failure.
        if (handle.stopped() || ProverConversation.validatorStopping()) {
          return interrupted(challengeId, began, "stopped with the service before a verdict;"
              + " not the prover's failure");
        }
        verifiedAt = clock.instant();
        verdict = f.verdict(c.id(), validator.summary(latest, verifiedAt).orElse(null));
        failure = new ArchiveRecord.ProverFailureNote(f.step(), f.check());
        log.println("the prover failed: " + f.describe());
      }
      log.println(verdictLine(verdict));
      String archived = null;
      String archiveProblem = null;
      String waiting = "";
      Check replay = verdict.check("challenge.replay");
      if (replay != null && replay.failed()) {
        archiveProblem = "a replayed challenge is not archived";
        log.println("not archived: " + archiveProblem);
      } else {
        ArchivedExchange x = exchange(p, latest, openings, verdict, verifiedAt, failure);
        try {
          archived = settings.archive().keep(x, settings.archiveKey()).toString();
        } catch (IOException e) {
          // Nothing of the exchange is lost: it waits for the archive (ArchiveSpool).
          archiveProblem = e.getMessage();
          waiting = "; " + settings.spool().hold(x);
          log.println("not archived: " + archiveProblem + waiting);
        }
      }
      Attestation a = verdict.attestation();
      Result r = new Result(verdict.passed() ? Store.State.PASSED : Store.State.FAILED,
          clock.instant(), challengeId, verdictLine(verdict)
              + (archiveProblem == null ? "" : "; not archived: " + archiveProblem + waiting),
          failedChecks(verdict), failure == null ? null : failure.check(),
          a == null ? null : a.backend(),
          a == null || a.timing() == null ? null : a.timing().tflopsPerGpu(),
          a == null || a.timing() == null ? null : a.timing().elapsedSeconds(), archived,
          memoryTBps(verdict));
      return new Outcome(r, verdict, seconds(began), verifySeconds, archiveProblem);
    } catch (BadMessageException | RuntimeFailureException | IOException | RuntimeException e) {
      if (handle.stopped() || ProverConversation.validatorStopping()) {
        return interrupted(challengeId, began, "stopped with the service before a verdict");
      }
      String why = e instanceof RuntimeException && !(e instanceof IllegalArgumentException)
          ? "internal error: " + e : e.getMessage();
      log.println("the validator failed (not the prover): " + why);
      return new Outcome(new Result(Store.State.ERROR, clock.instant(), challengeId,
          "the validator failed (not the prover): " + why, null, null, null, null, null, null),
          null, seconds(began), null, null);
    } finally {
      log.close();
    }
  }

  /**
   * The verification once the openings are in, and all that the verify-duration metric times:
   * the library's verify, its clock fixed at {@code verifiedAt} (recorded, so that reverify
   * repeats it exactly). WarmVerify (test scope) runs this warm (docs/benchmarks.md, "Service").
   */
  static Verdict verify(Settings settings, Session s, String openings,
      Evidence.Options options, Instant verifiedAt)
      throws BadMessageException, IOException, RuntimeFailureException {
    return new Validator(settings.profiles(), settings.replay(), settings.random(),
        Clock.fixed(verifiedAt, ZoneOffset.UTC), settings.threads()).verify(s, openings, options);
  }

  private Outcome interrupted(String challengeId, long began, String why) {
    return new Outcome(Result.interrupted(settings.clock().instant(), challengeId, why), null,
        seconds(began), null, null);
  }

  /** The exchange as the archive keeps it (docs/protocol.md section 8.5). */
  private ArchivedExchange exchange(Provider p, Session s, String openings, Verdict verdict,
      Instant verifiedAt, ArchiveRecord.ProverFailureNote failure) {
    ArchiveRecord record = new ArchiveRecord(1, verdict.challengeId().toLowerCase(Locale.ROOT),
        ArchiveRecord.ATTEST, verifiedAt.toString(), settings.clock().instant().toString(),
        ToolVersion.line("validator"), p.name(), new ArchiveRecord.Options(p.allowCpu(),
            p.weakTiming(), p.proverKey().map(k -> k.toPem()).orElse(null)), failure,
        settings.profiles().forModel(p.challenge().model()));
    return new ArchivedExchange(record, s, openings, verdict);
  }

  /** The verdict's last line, as 'validator attest' prints it. */
  static String verdictLine(Verdict v) {
    return ArchiveIndex.verdictLine(v);
  }

  /**
   * The memory phase's rate, memory.window's figure shownTBps, as 'validator fleet' reads it
   * from the archive (ArchiveReader); null without one (no phase, or a CPU backend's).
   */
  static Double memoryTBps(Verdict v) {
    return v.checks().stream()
        .filter(k -> k.name().equals("memory.window") && k.figures() != null)
        .map(k -> k.figures().get("shownTBps")).filter(Objects::nonNull)
        .findFirst().orElse(null);
  }

  private static String failedChecks(Verdict v) {
    String names = v.checks().stream().filter(Check::failed).map(Check::name)
        .collect(Collectors.joining(","));
    return names.isEmpty() ? null : names;
  }

  private static double seconds(long began) {
    return (System.nanoTime() - began) / 1e9;
  }
}
