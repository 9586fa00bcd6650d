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

  /** Takes every device's buffers for n; on failure gives back what was taken. */
  void allocate() throws BackendException {
    try {
      for (Device d : devices) {
        d.allocate(preparation.dim());
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
   * Runs the challenge on the prepared devices and commits; the devices are freed after.
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
      return commit(decoded, outcomes, roots, times);
    } finally {
      close();
    }
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

  /** Frees every device; safe to call more than once. */
  @Override
  public void close() {
    for (Device d : devices) {
      d.close();
    }
  }
}
