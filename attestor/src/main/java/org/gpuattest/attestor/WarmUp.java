package org.gpuattest.attestor;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.spec.SampledRows;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;

/**
 * Runs every piece of CPU work that a {@link PreparedRun} does after the seed ({@link ClockedWork}
 * names them) on throwaway data of the preparation's sizes, before {@code ready}, so that no
 * piece runs for the first time (class loading, the interpreter, JIT compilation) on the
 * validator's clock (docs/protocol.md §3.2). In order:
 *
 * <ol>
 *   <li>The challenge: one like the prepared one (same id, n, T, G, model and expiry, its own
 *       seed), signed by a throwaway validator key, is decoded and checked as the one at
 *       {@code go} will be, {@link #LIGHT_ROUNDS} times; a trust list trusts the throwaway key
 *       for these checks only.
 *   <li>The devices: where the backend has throwaway devices ({@link Backend#warmUpDevices},
 *       the CPU backend), G of them run {@link DeviceRun} and the spot check at n at most
 *       {@link #DEVICE_DIM} and T at most {@link #DEVICE_ITERATIONS}, so the backend's own
 *       kernels run; where the prepared devices may run a throwaway job ({@link
 *       Backend#warmsPreparedDevices}, a GPU) they do, at the real n; otherwise {@link
 *       StandInDevice}s run DeviceRun's threads and barriers.
 *   <li>The spot check ({@link ResultCheck}) at the real n, against a stand-in device whose
 *       row leaves for the chosen rows are the CPU reference's.
 *   <li>The commitment: reports and R(g) over T throwaway matrix roots per device, signing with
 *       the prover's key, encoding, and a state written to the state folder and removed;
 *       {@link #LIGHT_ROUNDS} times, or {@link #MIN_ROUNDS} where G x T is over {@link
 *       #MANY_ROOTS} (the hashing of R(g) then takes itself past the thresholds below).
 *   <li>The memory phase, where the challenge has one ({@link MemoryWarmUp}): the passes on
 *       throwaway devices, the prepared GPUs or stand-ins, and the seed's decoding, signing
 *       and encoding of the memory roots.
 * </ol>
 *
 * <p>The CPU kernels (the product, the Philox fill, SHA-256) are slow until HotSpot's C2 has
 * compiled them, which it does by counts, not time: a method with loops once it passes about
 * 600 calls and 15,000 calls plus loop iterations ({@code -XX:Tier4MinInvocationThreshold},
 * {@code Tier4CompileThreshold}), or 5,000 calls ({@code Tier4InvocationThreshold}). So the
 * compute-heavy steps repeat until their kernels have done {@link #WARM_FMAS} multiply-adds,
 * over 2,000 calls of the vector kernel's 4-row tile, each looping over up to 128 values of
 * k, whatever n is; and at least {@link #MIN_ROUNDS} times, so that code compiled during the
 * first round at the real n (or recompiled after a path first taken at that n) runs again.
 * Every step runs once whatever the time; later rounds stop at {@link #MAX_TIME}.
 *
 * <p>Nothing here changes what a run computes: the prover's key signs a throwaway commitment
 * that is never sent or kept; the prepared devices are only asked who they are, except on a
 * backend that {@link Backend#warmsPreparedDevices}, whose real run prepares them anew.
 */
final class WarmUp {
  /** Multiply-adds each compute-heavy step does in all, from the thresholds above. */
  static final long WARM_FMAS = 1L << 25;
  static final int MIN_ROUNDS = 2;
  /**
   * Rounds of the light steps (the challenge's decoding and checks; reports, signing,
   * encoding and the state write). One round loads their classes; their hot inner methods
   * (Ed25519's field arithmetic, SHA-256's compression, the JSON parser's per-token methods)
   * run hundreds to thousands of times per round, so a few rounds take them past C2's
   * thresholds too: one interpreted signature check costs milliseconds, two are on the clock.
   */
  static final int LIGHT_ROUNDS = 20;
  /** G x T above which the commitment step's Merkle hashing warms itself in one round. */
  static final long MANY_ROOTS = 4096;
  /**
   * Largest n at which throwaway devices run: their kernels are the same at any n, and until
   * C2 has compiled it each call of the product's tile costs in proportion to n (up to 128).
   */
  static final int DEVICE_DIM = 64;
  /**
   * The most time for rounds after a step's first: a third of what is left before the
   * preparation expires, and at most this; for a machine so busy that the counts above take
   * longer than the validator waits ('attest --prepare-timeout', 60 s by default).
   */
  static final Duration MAX_TIME = Duration.ofSeconds(20);
  /** Most iterations per throwaway run; two or more pass the mid barrier as the real run. */
  static final int DEVICE_ITERATIONS = 4;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final PrintWriter NOWHERE = new PrintWriter(Writer.nullWriter());

  /** What the warm-up ran, for the stderr line before ready. */
  record Summary(long nanos, String deviceRuns, int spotChecks, int n, int commits,
      boolean cutShort) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "warmed up the CPU work after go in %.3f s: the"
          + " challenge checks, %s, %s at n=%d, %s of the roots, signing, encoding and a state"
          + " write%s", nanos / 1e9, deviceRuns, Counts.count(spotChecks, "spot check"), n,
          Counts.count(commits, "round"), cutShort ? " (cut short: out of time)" : "");
    }
  }

  private final Prover prover;
  private final Preparation p;
  private final List<Device> devices;
  private final List<Integer> chosen;
  private final Path stateRoot;
  /** When later rounds stop ({@link #MAX_TIME}); on {@link System#nanoTime}. */
  private long deadline;
  private boolean cutShort;

  WarmUp(Prover prover, Preparation p, List<Device> devices, List<Integer> chosen,
      Path stateRoot) {
    this.prover = prover;
    this.p = p;
    this.devices = devices;
    this.chosen = chosen;
    this.stateRoot = stateRoot;
  }

  Summary run() throws BadMessageException, BackendException, IOException {
    long began = System.nanoTime();
    long left = Duration.between(prover.clock().instant(), p.expires()).toNanos();
    deadline = began + Math.max(0, Math.min(MAX_TIME.toNanos(), left / 3));
    MessageCodec.Decoded<Challenge> decoded = challenge();
    String deviceRuns = devices(decoded.value());
    int spotChecks = spotCheck(decoded.value());
    // Many matrix roots hash enough in one round; few need the rounds (R(g) of T leaves).
    int planned = (long) p.devices() * p.iterations() > MANY_ROOTS ? MIN_ROUNDS : LIGHT_ROUNDS;
    int commits = 0;
    Commitment last = null;
    while (another(commits, planned)) {
      last = commit(decoded);
      commits++;
    }
    String memory = p.memory() == null ? ""
        : "; " + new MemoryWarmUp(this, prover, p, devices).run(last);
    return new Summary(System.nanoTime() - began, deviceRuns + memory, spotChecks, p.dim(),
        commits, cutShort);
  }

  /**
   * Whether round r (from 0) of a step of {@code planned} rounds runs: the first always, so
   * every piece runs at least once, the others while the time allowed lasts.
   */
  boolean another(int r, int planned) throws BackendException {
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while warming up; stopped");
    }
    if (r >= planned) {
      return false;
    }
    if (r > 0 && System.nanoTime() - deadline > 0) {
      cutShort = true;
      return false;
    }
    return true;
  }

  /** Rounds of {@code fmasPerRound} multiply-adds until {@link #WARM_FMAS}, at least two. */
  static int rounds(long fmasPerRound) {
    long r = (WARM_FMAS + fmasPerRound - 1) / fmasPerRound;
    return (int) Math.max(MIN_ROUNDS, Math.min(r, WARM_FMAS));
  }

  /** Step 1: a throwaway challenge through go's decoding and checks, {@link #LIGHT_ROUNDS}. */
  private MessageCodec.Decoded<Challenge> challenge()
      throws BadMessageException, BackendException {
    Ed25519PrivateKey validator = Ed25519PrivateKey.generate(RANDOM);
    String text = MessageCodec.encode(throwaway(p.dim(), p.iterations()).signedBy(validator));
    TrustedValidators trusted = prover.trusted().alsoTrusting(validator.publicKey());
    MessageCodec.Decoded<Challenge> decoded = null;
    for (int r = 0; another(r, LIGHT_ROUNDS); r++) {
      decoded = PreparedRun.decodeChallenge(text);
      PreparedRun.checkChallenge(p, decoded.value(), trusted, prover.clock().instant());
    }
    return decoded;
  }

  /** A challenge like the prepared one at size n and T iterations, with a fresh seed. */
  private Challenge throwaway(int n, int iterations) {
    byte[] seed = new byte[32];
    RANDOM.nextBytes(seed);
    Instant expires = p.expires();
    // The prepared memory terms at the prepared T (go's checks compare them), else none.
    ChallengeMemory memory = iterations == p.iterations() ? p.memory() : null;
    return new Challenge(1, p.challengeId(), Hex.encode(seed), n, iterations, p.devices(),
        p.model(), expires.minusSeconds(60).toString(), p.expiresAt(), 1, memory, null, null);
  }

  /**
   * Step 2: DeviceRun, on the backend's throwaway devices with their kernels and the spot
   * check, or on stand-ins; says which, for the summary.
   */
  private String devices(Challenge real) throws BackendException {
    List<Device> throwaway = prover.backend().warmUpDevices(p.devices());
    int t = Math.min(p.iterations(), DEVICE_ITERATIONS);
    if (throwaway.isEmpty() && prover.backend().warmsPreparedDevices()) {
      return preparedDevices(real.dim(), t);
    }
    if (throwaway.isEmpty()) {
      List<Device> standIns = new ArrayList<>();
      for (Device d : devices) {
        standIns.add(new StandInDevice(d.identity(), Map.of()));
      }
      Challenge c = throwaway(real.dim(), t);
      int r = 0;
      while (another(r, MIN_ROUNDS)) {
        DeviceRun.runAll(standIns, c, NOWHERE, p.expires(), prover.progressEvery());
        r++;
      }
      return Counts.count(r, "device run") + " on stand-ins (the " + prover.backend().name()
          + " backend's own code is not warmed here)";
    }
    try {
      int n = Math.min(p.dim(), DEVICE_DIM);
      Challenge c = throwaway(n, t);
      int r = runAndCheck(throwaway, c, rounds((long) p.devices() * t * n * n * n));
      return Counts.count(r, "run") + " of " + throwaway.size() + " throwaway " + prover.backend().name()
          + " devices at n=" + n + ", T=" + t;
    } finally {
      throwaway.forEach(Device::close);
    }
  }

  /**
   * Step 2 on a GPU: a throwaway job (its own seed) on the prepared devices at the real n, so
   * the backend's host code and every kernel run before the seed: {@link #MIN_ROUNDS} runs of
   * T' iterations, each spot-checked on the devices. Few rounds, as each costs GPU time that
   * grows with n³ (0.2 s an iteration at n = 16384); what they are for, loading classes,
   * linking JCuda's native calls and each kernel's first (lazy) load, the first round does.
   * The real run's prepare starts over (B(g), the SM monitor, the timers).
   */
  private String preparedDevices(int n, int t) throws BackendException {
    int r = runAndCheck(devices, throwaway(n, t), MIN_ROUNDS);
    return Counts.count(r, "throwaway run") + " of the " + devices.size() + " prepared "
        + prover.backend().name() + " devices at n=" + n + ", T=" + t;
  }

  /**
   * Up to {@code planned} rounds ({@link #another}) of challenge {@code c} on {@code on}, each
   * run as the real one is and spot-checked on those devices; how many ran.
   */
  private int runAndCheck(List<Device> on, Challenge c, int planned) throws BackendException {
    int r = 0;
    while (another(r, planned)) {
      List<DeviceRun.Outcome> outcomes = DeviceRun.runAll(on, c, NOWHERE, p.expires(),
          prover.progressEvery());
      prover.resultCheck().check(on, c, PreparedRun.roots(outcomes), NOWHERE);
      r++;
    }
    return r;
  }

  /**
   * Step 3: the spot check at the real n. The stand-in's leaves of each chosen C(0, t) are the
   * CPU reference's for the chosen rows (computed once, by the code the check runs), another
   * leaf elsewhere, and its committed r(0, t) their Merkle root, so every round passes.
   */
  private int spotCheck(Challenge c) throws BackendException {
    int n = c.dim();
    List<ResultCheck.Pick> plan = prover.resultCheck().plan(c.iterations(), n);
    ResultCheck fixed = new ResultCheck((iterations, size) -> plan);
    List<Integer> ts = new ArrayList<>();
    List<Integer> is = new ArrayList<>();
    for (ResultCheck.Pick pick : plan) {
      for (int i : pick.rows()) {
        ts.add(pick.iteration());
        is.add(i);
      }
    }
    double[] rows = SampledRows.compute(c.philoxKey(), 0, n,
        ts.stream().mapToInt(x -> x).toArray(), is.stream().mapToInt(x -> x).toArray());
    Map<Integer, byte[][]> leaves = new HashMap<>();
    byte[][] committed = new byte[c.iterations()][];
    for (int t = 0; t < committed.length; t++) {
      committed[t] = new byte[32];
    }
    byte[] other = RowHash.leaf(new double[n], 0, n);
    int k = 0;
    for (ResultCheck.Pick pick : plan) {
      byte[][] l = new byte[n][];
      Arrays.fill(l, other);
      for (int i : pick.rows()) {
        l[i] = RowHash.leaf(rows, k * n, n);
        k++;
      }
      leaves.put(pick.iteration(), l);
      committed[pick.iteration()] = MerkleTree.root(l);
    }
    List<Device> standIn = List.of(new StandInDevice(devices.get(0).identity(), leaves));
    int planned = rounds((long) k * n * n);
    int r = 0;
    while (another(r, planned)) {
      fixed.check(standIn, c, new byte[][][] {committed}, NOWHERE);
      r++;
    }
    return r;
  }

  /** Step 4: reports and roots, signing, encoding and a state write, all thrown away. */
  private Commitment commit(MessageCodec.Decoded<Challenge> decoded) throws IOException {
    Challenge c = decoded.value();
    List<DeviceRun.Outcome> outcomes = new ArrayList<>();
    long now = DeviceRun.epochNanos(Instant.now());
    for (Device d : devices) {
      byte[][] roots = new byte[c.iterations()][];
      for (int t = 0; t < roots.length; t++) {
        roots[t] = new byte[32];
      }
      outcomes.add(new DeviceRun.Outcome(roots, new Timing(now, now, now, 0),
          new SmMonitor(new long[Math.max(1, d.identity().smCount())], 0.0)));
    }
    byte[][][] roots = PreparedRun.roots(outcomes);
    byte[] challengeDigest = CommitmentDigest.challengeDigest(decoded.bytes());
    String backend = prover.backend().name();
    List<DeviceReport> reports = PreparedRun.reports(devices, backend, outcomes, roots);
    Commitment commitment = PreparedRun.sign(challengeDigest, reports, 0L, prover.key());
    PreparedRun.encode(commitment);
    ProverState.Meta meta = new ProverState.Meta(1, backend, chosen,
        Hex.encode(challengeDigest), commitment.commitmentDigest(),
        reports.stream().map(DeviceReport::uuid).toList());
    Path saved = null;
    try {
      saved = PreparedRun.save(ProverState.of(meta, decoded, roots), stateRoot);
    } finally {
      if (saved != null) {
        ProverState.deleteTree(saved);
      }
    }
    return commitment;
  }
}
