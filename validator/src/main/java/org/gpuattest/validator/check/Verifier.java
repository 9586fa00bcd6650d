package org.gpuattest.validator.check;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ReplayGuard;
import org.gpuattest.validator.Workers;

/**
 * Runs every check on one attestation and returns the verdict: pass only if no check failed.
 * Each check is one line with its measured value, its bound and what to do about a failure.
 */
public final class Verifier {
  /** Every check, in the order a verdict lists them (docs/protocol.md section 8.3). */
  public static final List<String> CHECKS = List.of(
      "challenge.binding", "challenge.expiry", "challenge.replay", "signature.challenge",
      "signature.prover", "devices.backend", "devices.count", "devices.distinct",
      "devices.roots-distinct", "devices.model", "devices.sm-count", "sm.coverage",
      "sm.balance", "sm.busy", "timing.window", "timing.kernel", "timing.barriers",
      "openings.complete", "openings.exact");

  /**
   * The memory phase's checks, listed after {@link #CHECKS} only in a verdict on a challenge
   * that asked for the phase (docs/protocol.md section 8.3), so a verdict without it lists
   * what it always did.
   */
  public static final List<String> MEMORY_CHECKS = MemoryChecks.NAMES;

  /** The checks a verdict on {@code c} lists, in order. */
  public static List<String> checksFor(org.gpuattest.common.message.Challenge c) {
    if (c.memory() == null) {
      return CHECKS;
    }
    List<String> all = new ArrayList<>(CHECKS);
    all.addAll(MEMORY_CHECKS);
    return List.copyOf(all);
  }

  private final ReplayGuard replay;
  private final Clock clock;
  private final int threads;
  private final HeapBudget budget;

  /** Recomputes one device's sampled rows after another, on the caller's thread. */
  public Verifier(ReplayGuard replay, Clock clock) {
    this(replay, clock, 1);
  }

  /**
   * @param threads how many devices' sampled rows are recomputed at once, at most, 1 to
   *     {@link Workers#MAX_THREADS}; fewer while this JVM's heap cannot hold more of them
   *     (1: one after another, on the caller's thread). The verdict is the same for any value.
   */
  public Verifier(ReplayGuard replay, Clock clock, int threads) {
    this(replay, clock, threads, HeapBudget.JVM);
  }

  /** As {@link #Verifier(ReplayGuard, Clock, int)}, the rows in flight held to {@code budget}. */
  Verifier(ReplayGuard replay, Clock clock, int threads, HeapBudget budget) {
    this.replay = replay;
    this.clock = clock;
    this.threads = Limits.range("threads", threads, 1, Workers.MAX_THREADS);
    this.budget = budget;
  }

  /**
   * @throws IOException the replay store cannot be written, or the thread was interrupted
   *     while it recomputed rows ({@link java.io.InterruptedIOException}): the validator's
   *     fault, no verdict
   */
  public Verdict verify(Evidence e) throws IOException {
    List<Check> checks = new ArrayList<>();
    checks.add(BindingChecks.binding(e));
    checks.add(BindingChecks.expiry(e));
    Instant now = clock.instant();
    checks.add(BindingChecks.replay(e, replay, now));
    checks.addAll(BindingChecks.signatures(e));
    checks.add(DeviceChecks.backend(e));
    checks.add(DeviceChecks.count(e));
    checks.add(DeviceChecks.distinct(e));
    checks.add(DeviceChecks.rootsDistinct(e));
    checks.addAll(DeviceChecks.model(e));
    checks.addAll(SmChecks.all(e));
    checks.addAll(TimingChecks.all(e, e.clock().at()));
    List<Check> openings = OpeningChecks.all(e, threads, budget);
    checks.addAll(openings.subList(0, 2));
    if (e.challenge().memory() != null) {
      checks.add(MemoryChecks.window(e));
      checks.add(openings.get(2));
    }
    return Verdict.of(e.challenge().id(), checks, AttestationSummary.of(e, now));
  }
}
