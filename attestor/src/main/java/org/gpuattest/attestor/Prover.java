package org.gpuattest.attestor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.common.cpu.CpuWork;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.cpu.CpuBackend;

/**
 * Answers a challenge: runs canonical-v1 on G devices of one backend together (see
 * {@link DeviceRun} for the barriers), spot-checks the results against the CPU reference
 * ({@link ResultCheck}), builds R(g) from the matrix roots, signs the commitment and keeps the
 * state that {@link Opener} needs.
 */
public final class Prover {
  private final Backend backend;
  private final Ed25519PrivateKey key;
  private final PrintWriter progress;
  private final Clock clock;
  private final Duration progressEvery;
  private final ResultCheck resultCheck;
  private final TrustedValidators trusted;

  public Prover(Backend backend, Ed25519PrivateKey key, PrintWriter progress, Clock clock) {
    this(backend, key, progress, clock, ProgressReporter.EVERY);
  }

  /** As the four-argument constructor, printing progress every {@code progressEvery}. */
  public Prover(Backend backend, Ed25519PrivateKey key, PrintWriter progress, Clock clock,
      Duration progressEvery) {
    this(backend, key, progress, clock, progressEvery,
        ResultCheck.random(new java.security.SecureRandom()));
  }

  /** As above, with the spot check before signing chosen by the caller (tests). */
  Prover(Backend backend, Ed25519PrivateKey key, PrintWriter progress, Clock clock,
      Duration progressEvery, ResultCheck resultCheck) {
    this(backend, key, progress, clock, progressEvery, resultCheck, TrustedValidators.ANY);
  }

  private Prover(Backend backend, Ed25519PrivateKey key, PrintWriter progress, Clock clock,
      Duration progressEvery, ResultCheck resultCheck, TrustedValidators trusted) {
    this.backend = backend;
    this.key = key;
    this.progress = progress;
    this.clock = clock;
    this.progressEvery = progressEvery;
    this.resultCheck = resultCheck;
    this.trusted = trusted;
  }

  /**
   * This prover, answering only challenges {@code validators} accept (docs/protocol.md §6):
   * {@link #prove} and {@link PreparedRun#run} refuse any other before the timed work.
   */
  public Prover trusting(TrustedValidators validators) {
    return new Prover(backend, key, progress, clock, progressEvery, resultCheck, validators);
  }

  /** The device ordinals asked for do not fit the challenge or the backend. */
  public static final class DeviceChoiceException extends BadMessageException {
    DeviceChoiceException(String message) {
      super(message);
    }
  }

  /**
   * The separate-command flow: prepares and runs at once, so start-up is inside the window
   * that starts at the challenge's issue (docs/protocol.md §3.1).
   *
   * @param ordinals which of the backend's devices to use, or empty for the first G
   * @throws BadMessageException the challenge is expired, badly signed, not from a trusted
   *     validator ({@link #trusting}), or asks the impossible
   * @throws DeviceChoiceException {@code ordinals} does not name G distinct devices
   * @throws BackendException a device failed, or there are fewer than G, or a result differs
   *     from the CPU reference ({@link ResultCheck}); no state is kept then
   */
  public Commitment prove(MessageCodec.Decoded<Challenge> decoded, List<Integer> ordinals,
      Path stateRoot) throws BadMessageException, BackendException, IOException {
    trusted.check(decoded.value());
    checkAcceptable(decoded.value(), clock.instant());
    refuseMemoryPhase(decoded.value());
    try (PreparedRun run = prepare(Preparation.of(decoded.value()), ordinals, stateRoot,
        false)) {
      return run.run(decoded);
    }
  }

  /**
   * Everything before the seed (docs/protocol.md §3.2): checks the state folder, the backend's
   * room and the devices, and with {@code allocate} takes every device's buffers now.
   *
   * @throws BadMessageException the preparation is expired or asks the impossible
   * @throws DeviceChoiceException {@code ordinals} does not name G distinct devices
   * @throws BackendException a device failed, or there are fewer than G
   */
  public PreparedRun prepare(Preparation p, List<Integer> ordinals, Path stateRoot,
      boolean allocate) throws BadMessageException, BackendException, IOException {
    Instant now = clock.instant();
    if (now.isAfter(p.expires())) {
      throw new BadMessageException("preparation: the challenge expired at " + p.expiresAt()
          + " (now " + now + ")");
    }
    AtomicFiles.probeWritable("prover state folder", stateRoot); // before the work, not after
    // The kept products of the memory phase too: refused here, before ready (§3.2).
    backend.checkFits(p.devices(), p.dim(),
        p.memory() == null ? 0 : p.memory().keptBytes(p.dim()));
    List<Device> all = backend.devices(p.devices());
    List<Integer> chosen = choose(all.size(), p.devices(), ordinals);
    List<Device> devices = new ArrayList<>();
    for (int i = 0; i < chosen.size(); i++) {
      int o = chosen.get(i);
      if (chosen.subList(0, i).contains(o)) {
        // One device listed twice: a fresh handle on it, so each g has its own buffers. The
        // commitment then reports one UUID twice, which a validator rejects (devices.distinct).
        progress.println("attestor: device " + o + " is listed twice: it acts as two devices"
            + " (for testing the multi-device path; a validator rejects the duplicate UUID)");
        devices.add(backend.devices(p.devices()).get(o));
      } else {
        devices.add(all.get(o));
      }
    }
    CpuKernels kernels = cpuKernels(p);
    progress.printf("attestor: %s backend, %s, n=%d, T=%d%s%n", backend.name(),
        Counts.count(p.devices(), "device"), p.dim(), p.iterations(),
        backend instanceof CpuBackend ? "; " + kernels.description() : "");
    progress.flush();
    PreparedRun run = new PreparedRun(this, p, chosen, devices, stateRoot);
    if (allocate) {
      run.allocate();
    }
    return run;
  }

  /**
   * The CPU kernels for this process's work, chosen now, before its first product: the plain
   * kernel for a small challenge, whose whole run is over before the vector kernel would be
   * compiled (CpuKernels). The work is the spot check's rows ({@link ResultCheck}) and, on the
   * CPU backend, all G x T products, with their operands (an 'open' in the same process adds
   * at most the sampled iterations again, left out).
   *
   * @throws BackendException {@value CpuKernels#PROPERTY} names no kernel this JVM has
   */
  private CpuKernels cpuKernels(Preparation p) throws BackendException {
    try {
      return CpuKernels.forWork(cpuWork(backend instanceof CpuBackend, p.devices(),
          p.iterations(), p.dim()));
    } catch (IllegalStateException e) {
      throw new BackendException(e.getMessage());
    }
  }

  /** The CPU work ({@link CpuWork}) of a run of G devices, T iterations at size n. */
  static long cpuWork(boolean cpuBackend, int devices, int iterations, int n) {
    long g = devices;
    long nn = (long) n * n;
    long rows = g * ResultCheck.ITERATIONS_PER_DEVICE * ResultCheck.ROWS_PER_ITERATION;
    long operands = g * nn + rows * n; // the check's B(g) and its rows of A
    if (cpuBackend) {
      rows += g * iterations * n;
      operands += g * nn + g * iterations * nn; // B(g), and every A(g, t)
    }
    return CpuWork.of(rows, n, operands);
  }

  Backend backend() {
    return backend;
  }

  Ed25519PrivateKey key() {
    return key;
  }

  PrintWriter progress() {
    return progress;
  }

  Clock clock() {
    return clock;
  }

  Duration progressEvery() {
    return progressEvery;
  }

  ResultCheck resultCheck() {
    return resultCheck;
  }

  TrustedValidators trusted() {
    return trusted;
  }

  /**
   * Refuses a challenge no work should start on: a bad validator signature, or expired.
   *
   * @throws BadMessageException naming which
   */
  public static void checkAcceptable(Challenge c, Instant now) throws BadMessageException {
    try {
      c.verifySignature();
    } catch (VerificationException e) {
      throw new BadMessageException("challenge: " + e.getMessage());
    }
    if (now.isAfter(c.expires())) {
      throw new BadMessageException("challenge: expired at " + c.expiresAt() + " (now " + now
          + ")");
    }
  }

  /**
   * Refuses, in the separate-command flow, a challenge with a memory phase: its seed comes
   * after the commitment, in the same process (docs/protocol.md §3.2).
   *
   * @throws BadMessageException naming where such a challenge goes
   */
  public static void refuseMemoryPhase(Challenge c) throws BadMessageException {
    if (c.memory() != null) {
      throw new BadMessageException("challenge: it asks for a memory phase, which only the"
          + " attest conversation runs ('attestor prove --conversation', as 'validator attest'"
          + " starts it)");
    }
  }

  static List<Integer> choose(int available, int wanted, List<Integer> ordinals)
      throws BackendException, DeviceChoiceException {
    if (ordinals.isEmpty()) {
      if (available < wanted) {
        throw new BackendException("the challenge claims " + Counts.count(wanted, "device")
            + "; this backend has " + available);
      }
      List<Integer> first = new ArrayList<>();
      for (int i = 0; i < wanted; i++) {
        first.add(i);
      }
      return first;
    }
    if (ordinals.size() != wanted) {
      throw new DeviceChoiceException("it names " + Counts.count(ordinals.size(), "device")
          + "; the challenge claims " + wanted);
    }
    for (int i = 0; i < ordinals.size(); i++) {
      int o = ordinals.get(i);
      if (o < 0 || o >= available) {
        throw new DeviceChoiceException("device " + o + " does not exist (0.."
            + (available - 1) + ")");
      }
    }
    return List.copyOf(ordinals);
  }
}
