package org.gpuattest.attestor;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;

/**
 * A prover between its preparation and the seed (docs/protocol.md §3.2): the devices are
 * chosen and, in the attest conversation, allocated, and {@link #warmUp} has run once each
 * piece of CPU work that follows the seed; {@link #run} takes the challenge, checks it is the
 * prepared one, generates every B(g) and runs (B generation is timed work), then signs and
 * keeps the state that {@link Opener} needs, and reports its own CPU time on the clock
 * ({@link CpuTimes}). Used once.
 */
public final class PreparedRun implements AutoCloseable {
  private final Prover prover;
  private final Preparation preparation;
  private final List<Integer> chosen;
  private final List<Device> devices;
  private final Path stateRoot;
  private ProverState state;
  private boolean used;
  private boolean closed;
  /** The commitment signed by {@link #run}, while its memory phase is still to come. */
  private Commitment awaitingMemory;
  /** When {@link #decode} began taking the go line; 0 when the challenge came another way. */
  private long goNanos;

  PreparedRun(Prover prover, Preparation preparation, List<Integer> chosen,
      List<Device> devices, Path stateRoot) {
    this.prover = prover;
    this.preparation = preparation;
    this.chosen = chosen;
    this.devices = devices;
    this.stateRoot = stateRoot;
  }

  /**
   * Takes every device's buffers for n, and the memory for the products the memory phase keeps
   * (docs/protocol.md §2.2); on failure gives back what was taken.
   */
  void allocate() throws BackendException {
    ChallengeMemory m = preparation.memory();
    try {
      for (Device d : devices) {
        d.allocate(preparation.dim());
        if (m != null) {
          d.keep(m.first(preparation.iterations()), m.kept());
        }
      }
    } catch (BackendException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The G devices prepared. */
  public int deviceCount() {
    return devices.size();
  }

  /** The backend's name, 'cuda' or 'cpu', as the commitment will report it. */
  public String backendName() {
    return prover.backend().name();
  }

  /** The name each prepared device's driver reports, in order: the commitment's names. */
  public List<String> deviceNames() {
    return devices.stream().map(d -> d.identity().name()).toList();
  }

  /**
   * Runs every piece of CPU work that {@link #run} will do after the seed once on throwaway
   * data of this preparation's sizes ({@link WarmUp}), so that none is run for the first time
   * on the validator's clock; called before {@code ready}. Changes nothing this run computes
   * and leaves no file behind.
   *
   * @return how long it took, as printed on the progress stream
   * @throws BadMessageException the preparation expired meanwhile
   * @throws BackendException a throwaway device failed, or the calling thread was interrupted
   * @throws IOException the state folder cannot take a state
   */
  public Duration warmUp() throws BadMessageException, BackendException, IOException {
    WarmUp.Summary s = new WarmUp(prover, preparation, devices, chosen, stateRoot).run();
    prover.progress().println("attestor: " + s);
    prover.progress().flush();
    return Duration.ofNanos(s.nanos());
  }

  /**
   * Reads the challenge that {@code go} carries; the prover's clock for {@link
   * Commitment#proverCpuNanos} starts here.
   */
  public MessageCodec.Decoded<Challenge> decode(String payload) throws BadMessageException {
    goNanos = System.nanoTime();
    return decodeChallenge(payload);
  }

  static MessageCodec.Decoded<Challenge> decodeChallenge(String payload)
      throws BadMessageException {
    ClockedWork.ran(ClockedWork.DECODE);
    return MessageCodec.decode("go", payload, Challenge.class);
  }

  /** The commitment as the line that answers {@code go}. */
  public static String encode(Commitment c) {
    ClockedWork.ran(ClockedWork.ENCODE);
    return MessageCodec.encode(c);
  }

  /**
   * Runs the challenge on the prepared devices and commits. The devices stay held until {@link
   * #close} (freed here only when this fails): freeing them (a context's teardown, gigabytes of
   * kept products, one GPU after another) is no part of the answer, so the caller sends the
   * commitment first and frees them after, off the validator's clock; with a memory phase they
   * keep the products for {@link #memory}.
   *
   * @throws BadMessageException the challenge is not the prepared one, is expired, badly
   *     signed or not from a trusted validator
   * @throws BackendException a device failed, or a result differs from the CPU reference
   */
  public Commitment run(MessageCodec.Decoded<Challenge> decoded)
      throws BadMessageException, BackendException, IOException {
    if (used) {
      throw new IllegalStateException("a prepared run runs once");
    }
    used = true;
    Challenge c = decoded.value();
    boolean committed = false;
    try {
      CpuTimes times = new CpuTimes(goNanos != 0 ? goNanos : System.nanoTime());
      checkChallenge(preparation, c, prover.trusted(), prover.clock().instant());
      // The spot check's CPU rows need only the key: computed while the devices run, so that
      // after them only the comparison is on the validator's clock.
      ResultCheck.Reference reference = prover.resultCheck().startReference(c, devices.size());
      times.devicesStart();
      List<DeviceRun.Outcome> outcomes = DeviceRun.runAll(devices, c, prover.progress(),
          c.expires(), prover.progressEvery());
      times.devicesEnd();
      byte[][][] roots = roots(outcomes);
      // No wrong result is signed: spot-check against the CPU reference while the devices
      // still hold B(g) (docs/protocol.md §3, "Before the prover signs").
      prover.resultCheck().check(devices, c, roots, prover.progress(), reference);
      times.checked();
      Commitment commitment = commit(decoded, outcomes, roots, times);
      if (c.memory() != null) {
        awaitingMemory = commitment;
      }
      committed = true;
      return commitment;
    } finally {
      if (!committed) {
        close();
      }
    }
  }

  /** Whether {@link #run} committed to a challenge whose memory phase is still to come. */
  public boolean awaitsMemory() {
    return awaitingMemory != null;
  }

  /**
   * The memory phase (docs/protocol.md §2.2, §3.2): takes the validator's memory seed (the
   * payload of its {@code memory} line), runs the passes over the kept products, signs the
   * memory roots and keeps what the openings need. As after {@link #run}, the devices stay
   * held until {@link #close} (freed here only when this fails), so that their teardown
   * follows the answer instead of delaying it on the memory window's clock.
   *
   * @throws BadMessageException the line is not a memory seed for this commitment
   * @throws BackendException a device failed
   */
  public MemoryRoots memory(String payload) throws BadMessageException, BackendException {
    if (awaitingMemory == null) {
      throw new IllegalStateException("no commitment awaits its memory phase");
    }
    Commitment commitment = awaitingMemory;
    awaitingMemory = null;
    boolean answered = false;
    try {
      MemorySeed seed = decodeMemorySeed(payload, commitment);
      ChallengeMemory m = state.challenge().memory();
      byte[][] deviceRoots = new byte[devices.size()][];
      for (int g = 0; g < deviceRoots.length; g++) {
        deviceRoots[g] = commitment.devices().get(g).rootBytes();
      }
      long began = System.nanoTime();
      List<MemoryPhase.Outcome> outcomes = MemoryPhase.runAll(devices, seed.seedBytes(),
          deviceRoots, m.passes());
      long passes = System.nanoTime() - began;
      MemoryRoots answer = signMemory(commitment, seed, outcomes, prover.key());
      state = state.withMemory(memoryState(seed, outcomes));
      prover.progress().printf(java.util.Locale.ROOT, "attestor: memory phase: %d passes over"
          + " %s of kept products per device in %.3f s (%.1f GB/s per device)%n", m.passes(),
          Counts.count(m.kept(), "iteration"), passes / 1e9,
          passes == 0 ? 0.0 : m.passes() * (double) m.keptBytes(preparation.dim()) / passes);
      prover.progress().flush();
      answered = true;
      return answer;
    } finally {
      if (!answered) {
        close();
      }
    }
  }

  /** The memory seed of the 'memory' line, which must follow this commitment. */
  static MemorySeed decodeMemorySeed(String payload, Commitment commitment)
      throws BadMessageException {
    ClockedWork.ran(ClockedWork.MEMORY_DECODE);
    MemorySeed seed = MessageCodec.decode("memory", payload, MemorySeed.class).value();
    if (!seed.commitmentDigest().equalsIgnoreCase(commitment.commitmentDigest())) {
      throw new BadMessageException("memory: the seed follows commitment "
          + seed.commitmentDigest() + ", not this prover's " + commitment.commitmentDigest());
    }
    return seed;
  }

  static MemoryRoots signMemory(Commitment commitment, MemorySeed seed,
      List<MemoryPhase.Outcome> outcomes, Ed25519PrivateKey key) {
    ClockedWork.ran(ClockedWork.MEMORY_SIGN);
    byte[][][] roots = new byte[outcomes.size()][][];
    for (int g = 0; g < roots.length; g++) {
      roots[g] = outcomes.get(g).memoryRoots();
    }
    return MemoryRoots.sign(Hex.decode("challengeDigest", commitment.challengeDigest(), 32),
        Hex.decode("commitmentDigest", commitment.commitmentDigest(), 32), seed.seedBytes(),
        roots, key);
  }

  /** The memory roots as the line that answers {@code memory}. */
  public static String encode(MemoryRoots r) {
    ClockedWork.ran(ClockedWork.MEMORY_ENCODE);
    return MessageCodec.encode(r);
  }

  private static ProverState.Memory memoryState(MemorySeed seed,
      List<MemoryPhase.Outcome> outcomes) {
    byte[][][] memoryRoots = new byte[outcomes.size()][][];
    byte[][][][] vectorRoots = new byte[outcomes.size()][][][];
    for (int g = 0; g < memoryRoots.length; g++) {
      memoryRoots[g] = outcomes.get(g).memoryRoots();
      vectorRoots[g] = outcomes.get(g).vectorRoots();
    }
    return new ProverState.Memory(seed.seedBytes(), memoryRoots, vectorRoots);
  }

  /**
   * Refuses a challenge that is not the prepared one, not from a trusted validator (before the
   * timed work, docs/protocol.md §6), badly signed or expired.
   */
  static void checkChallenge(Preparation p, Challenge c, TrustedValidators trusted, Instant now)
      throws BadMessageException {
    ClockedWork.ran(ClockedWork.CHECK);
    String difference = p.differenceFrom(c);
    if (difference != null) {
      throw new BadMessageException("challenge: not the prepared challenge: " + difference);
    }
    trusted.check(c);
    Prover.checkAcceptable(c, now);
  }

  private Commitment commit(MessageCodec.Decoded<Challenge> decoded,
      List<DeviceRun.Outcome> outcomes, byte[][][] roots, CpuTimes times) throws IOException {
    byte[] challengeDigest = CommitmentDigest.challengeDigest(decoded.bytes());
    String backend = prover.backend().name();
    List<DeviceReport> reports = reports(devices, backend, outcomes, roots);
    times.reported();
    Commitment commitment = sign(challengeDigest, reports, times.beforeSigning(),
        prover.key());
    times.signed();
    ProverState.Meta meta = new ProverState.Meta(1, backend, chosen,
        Hex.encode(challengeDigest), commitment.commitmentDigest(),
        reports.stream().map(DeviceReport::uuid).toList());
    state = ProverState.of(meta, decoded, roots);
    Path saved = save(state, stateRoot);
    times.saved();
    prover.progress().printf("attestor: committed %s (state in %s)%n",
        commitment.commitmentDigest(), saved);
    prover.progress().println("attestor: " + times);
    prover.progress().flush();
    return commitment;
  }

  /** One report per device, R(g) from its matrix roots, identities as the devices give them. */
  static List<DeviceReport> reports(List<Device> devices, String backend,
      List<DeviceRun.Outcome> outcomes, byte[][][] roots) {
    ClockedWork.ran(ClockedWork.REPORTS);
    List<DeviceReport> reports = new ArrayList<>();
    for (int g = 0; g < devices.size(); g++) {
      DeviceRun.Outcome o = outcomes.get(g);
      DeviceIdentity id = devices.get(g).identity();
      reports.add(new DeviceReport(g, id.name(), id.uuid(), id.pciBusId(),
          id.computeCapability(), id.smCount(), id.memoryBytes(), id.driverVersion(),
          backend, Hex.encode(Reference.deviceRoot(roots[g])), o.timing(), o.monitor(),
          devices.get(g).kernel().orElse(null)));
    }
    return reports;
  }

  static Commitment sign(byte[] challengeDigest, List<DeviceReport> reports,
      long proverCpuNanos, Ed25519PrivateKey key) {
    ClockedWork.ran(ClockedWork.SIGN);
    return Commitment.sign(challengeDigest, reports, proverCpuNanos, key);
  }

  static Path save(ProverState state, Path stateRoot) throws IOException {
    ClockedWork.ran(ClockedWork.STATE);
    return state.save(stateRoot);
  }

  static byte[][][] roots(List<DeviceRun.Outcome> outcomes) {
    byte[][][] roots = new byte[outcomes.size()][][];
    for (int g = 0; g < roots.length; g++) {
      roots[g] = outcomes.get(g).matrixRoots();
    }
    return roots;
  }

  /** The state saved at commit, for opening in the same process; null before. */
  public ProverState state() {
    return state;
  }

  /** Frees every device, once; later calls do nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Device d : devices) {
      d.close();
    }
  }
}
