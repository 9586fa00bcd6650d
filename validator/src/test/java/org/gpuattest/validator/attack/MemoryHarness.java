package org.gpuattest.validator.attack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.attack.Harness.Shape;

/**
 * The attest conversation's exchange with a memory phase (docs/protocol.md §3.2), between a
 * {@link Harness}'s validator and a {@link TestProver} with a {@link MemoryProver}, on the
 * harness's clock and without a process: issue (ready/go, weak timing, memory), go, commitment
 * after {@link #COMMIT_ELAPSED}, memory seed, memory roots after the run's memory time, samples,
 * openings, verdict. The H100-looking reports' barriers are moved inside the ready/go window,
 * so an honest run passes every check; a hook between each step serves the attack under test.
 */
public final class MemoryHarness {
  /** Go to commitment: inside the ready/go window of the small shape (about 0.105 s). */
  public static final Duration COMMIT_ELAPSED = Duration.ofMillis(80);
  /** Memory seed to memory roots for an honest run: inside the memory window (0.105 s). */
  public static final Duration HONEST_MEMORY = Duration.ofMillis(50);
  static final long ROUND_TRIP_NANOS = 5_000_000L;
  /** G = 2, n = 64, T = 3, every row opened; all three kept (under the H100's target). */
  static final Shape SHAPE = new Shape(2, 64, 3, 2 * 3 * 64);

  private final Harness h;

  public MemoryHarness(Path dir, long seed) {
    h = new Harness(dir, seed);
  }

  public Harness harness() {
    return h;
  }

  public Run run(MemoryProver.Cheat cheat) {
    return new Run(cheat);
  }

  /** One exchange, configured, then {@link #verdict()}; keeps what each step produced. */
  public final class Run {
    private final MemoryProver memoryProver;
    private Duration memoryElapsed = HONEST_MEMORY;
    private long roundTripNanos = ROUND_TRIP_NANOS;
    private UnaryOperator<MemoryRoots> editRoots = r -> r;
    private UnaryOperator<Session> editMemorySession = s -> s;
    public Session committed;
    public Session memorySent;
    public Session sampled;
    public Commitment commitment;
    public MemoryRoots roots;
    public Openings openings;

    Run(MemoryProver.Cheat cheat) {
      memoryProver = new MemoryProver(h.proverKey, cheat);
    }

    /** Memory seed to memory roots on the validator's clock. */
    public Run memoryElapsed(Duration d) {
      memoryElapsed = d;
      return this;
    }

    /** The round trip the validator measured before go. */
    public Run roundTrip(Duration d) {
      roundTripNanos = d.toNanos();
      return this;
    }

    /** Changes the memory roots after the prover signed them. */
    public Run roots(UnaryOperator<MemoryRoots> edit) {
      editRoots = edit;
      return this;
    }

    /** Changes the session after the memory roots were taken (a tampered session store). */
    public Run sampledSession(UnaryOperator<Session> edit) {
      editMemorySession = edit;
      return this;
    }

    /** The exchange up to the memory seed's sending. */
    public Run toMemorySeed() throws BadMessageException {
      Session issued;
      try {
        issued = h.validator.challenge(ChallengeIssuer.Request.builder().gpus(SHAPE.devices())
            .model(TestProver.H100_NAME).dim(SHAPE.dim()).iterations(SHAPE.iterations())
            .samples(SHAPE.samples()).timedFrom(ChallengeIssuer.TimedFrom.GO)
            .weakTiming(true).memory(true).build());
      } catch (RuntimeFailureException e) {
        throw new IllegalStateException(e.getMessage());
      }
      Instant go = h.clock.instant();
      Session started = issued.withGo(go, roundTripNanos);
      MessageCodec.Decoded<Challenge> c = started.decodedChallenge();
      long goNanos = go.getEpochSecond() * 1_000_000_000L + go.getNano();
      TestProver prover = h.prover(TestProver.Hardware.H100, TestProver.Cheats.HONEST
          .reports((g, r) -> inWindow(r, goNanos)));
      commitment = prover.commit(c);
      h.clock.advance(COMMIT_ELAPSED);
      committed = h.validator.sample(started, MessageCodec.encode(commitment));
      memorySent = committed.withMemorySent(h.clock.instant());
      proverHolder = prover;
      return this;
    }

    private TestProver proverHolder;

    /** The whole exchange, verified. */
    public Verdict verdict() throws BadMessageException, IOException {
      toMemorySeed();
      roots = editRoots.apply(memoryProver.answer(committed.decodedChallenge().value(),
          commitment, memorySent.memorySeedMessage()));
      h.clock.advance(memoryElapsed);
      sampled = editMemorySession.apply(h.validator.sampleMemory(memorySent,
          MessageCodec.encode(roots), h.clock.instant()));
      openings = memoryProver.withElements(proverHolder.open(sampled.decodedRequest()),
          sampled.decodedRequest());
      try {
        return h.validator.verify(sampled, MessageCodec.encode(openings),
            new org.gpuattest.validator.check.Evidence.Options(false, java.util.Optional.empty()));
      } catch (RuntimeFailureException e) {
        throw new IllegalStateException(e.getMessage());
      }
    }
  }

  /** The report's barriers 1 ms to 50 ms after go, its kernel time as it was. */
  private static DeviceReport inWindow(DeviceReport r, long goNanos) {
    Timing t = new Timing(goNanos + 1_000_000L, goNanos + 25_000_000L, goNanos + 50_000_000L,
        r.timing().kernelNanos());
    return new DeviceReport(r.index(), r.name(), r.uuid(), r.pciBusId(), r.computeCapability(),
        r.smCount(), r.memoryBytes(), r.driverVersion(), r.backend(), r.root(), t,
        r.smMonitor(), r.kernel());
  }
}
