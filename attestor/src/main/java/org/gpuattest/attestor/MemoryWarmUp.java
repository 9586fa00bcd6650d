package org.gpuattest.attestor;

import java.io.PrintWriter;
import java.io.Writer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;

/**
 * {@link WarmUp}'s step for the memory phase (docs/protocol.md §2.2): everything the prover
 * runs on its CPU between the memory seed and its memory roots, run before {@code ready} on
 * throwaway data, as the rest of the warm-up does for the work after {@code go}:
 *
 * <ol>
 *   <li>the passes ({@link MemoryPhase}): on the CPU backend's throwaway devices at n at most
 *       {@link WarmUp#DEVICE_DIM}, each keeping the products of a throwaway run, until their
 *       passes have done {@link WarmUp#WARM_FMAS} multiply-adds; on the prepared GPUs
 *       themselves (their kept buffers hold the throwaway job's products, or nothing yet: the
 *       real run computes them anew), {@link WarmUp#MIN_ROUNDS} rounds of two passes; else on
 *       stand-ins;
 *   <li>the seed's decoding and check, the memory roots' signing and encoding, against the
 *       throwaway commitment of the warm-up's commit step, {@link WarmUp#LIGHT_ROUNDS} times.
 * </ol>
 */
final class MemoryWarmUp {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final PrintWriter NOWHERE = new PrintWriter(Writer.nullWriter());
  /** Passes per round where the warm-up runs several rounds anyway. */
  private static final int PASSES = 2;
  /**
   * Calls of the pass's dot product the throwaway devices make in all: twice C2's 5,000-call
   * threshold ({@code Tier4InvocationThreshold}; each call loops n times, past the loop
   * thresholds too). The SHA-256 it hashes with is warm from the rows already.
   */
  static final long WARM_CALLS = 10_000;

  private final WarmUp warmUp;
  private final Prover prover;
  private final Preparation p;
  private final List<Device> devices;

  MemoryWarmUp(WarmUp warmUp, Prover prover, Preparation p, List<Device> devices) {
    this.warmUp = warmUp;
    this.prover = prover;
    this.p = p;
    this.devices = devices;
  }

  /** Runs both steps; says what ran, for the warm-up's summary line. */
  String run(Commitment throwaway) throws BackendException, BadMessageException {
    String passes = passes();
    byte[] seed = new byte[32];
    RANDOM.nextBytes(seed);
    String line = MessageCodec.encode(new MemorySeed(1, throwaway.commitmentDigest(),
        Hex.encode(seed)));
    List<MemoryPhase.Outcome> outcomes = new ArrayList<>();
    for (int g = 0; g < p.devices(); g++) {
      byte[][] roots = new byte[p.memory().passes()][];
      for (int i = 0; i < roots.length; i++) {
        roots[i] = new byte[32];
      }
      outcomes.add(new MemoryPhase.Outcome(roots, null));
    }
    int r = 0;
    while (warmUp.another(r, WarmUp.LIGHT_ROUNDS)) {
      MemorySeed decoded = PreparedRun.decodeMemorySeed(line, throwaway);
      MemoryRoots answer = PreparedRun.signMemory(throwaway, decoded, outcomes, prover.key());
      PreparedRun.encode(answer);
      r++;
    }
    return passes;
  }

  /** Step 1; says where the passes ran. */
  private String passes() throws BackendException {
    ChallengeMemory m = p.memory();
    byte[] seed = new byte[32];
    RANDOM.nextBytes(seed);
    List<Device> throwaway = prover.backend().warmUpDevices(p.devices());
    if (throwaway.isEmpty() && prover.backend().warmsPreparedDevices()) {
      int r = rounds(devices, seed, Math.min(PASSES, m.passes()), WarmUp.MIN_ROUNDS);
      return Counts.count(r, "round") + " of memory passes on the prepared devices";
    }
    if (throwaway.isEmpty()) {
      List<Device> standIns = new ArrayList<>();
      for (Device d : devices) {
        Device s = new StandInDevice(d.identity(), Map.of());
        s.keep(0, m.kept());
        standIns.add(s);
      }
      int r = rounds(standIns, seed, Math.min(PASSES, m.passes()), WarmUp.MIN_ROUNDS);
      return Counts.count(r, "round") + " of memory passes on stand-ins";
    }
    try {
      int n = Math.min(p.dim(), WarmUp.DEVICE_DIM);
      int t = Math.min(p.iterations(), WarmUp.DEVICE_ITERATIONS);
      int kept = Math.min(m.kept(), t);
      for (Device d : throwaway) {
        d.allocate(n);
        d.keep(t - kept, kept);
      }
      Challenge c = new Challenge(1, p.challengeId(), Hex.encode(seed), n, t, p.devices(),
          p.model(), p.expires().minusSeconds(60).toString(), p.expiresAt(), 1, null, null);
      DeviceRun.runAll(throwaway, c, NOWHERE, p.expires(), prover.progressEvery());
      int passes = Math.min(WarmUp.DEVICE_ITERATIONS, m.passes());
      long calls = (long) p.devices() * passes * kept * n;
      int r = rounds(throwaway, seed, passes, (int) Math.max(WarmUp.MIN_ROUNDS,
          Math.min(WarmUp.LIGHT_ROUNDS, (WARM_CALLS + calls - 1) / calls)));
      return Counts.count(r, "round") + " of " + Counts.count(passes, "memory pass",
          "memory passes") + " on " + throwaway.size() + " throwaway devices at n=" + n;
    } finally {
      throwaway.forEach(Device::close);
    }
  }

  /** Up to {@code planned} rounds of the passes on {@code on}; how many ran. */
  private int rounds(List<Device> on, byte[] seed, int passes, int planned)
      throws BackendException {
    byte[][] deviceRoots = new byte[on.size()][];
    for (int g = 0; g < deviceRoots.length; g++) {
      deviceRoots[g] = new byte[32];
    }
    int r = 0;
    while (warmUp.another(r, planned)) {
      MemoryPhase.runAll(on, seed, deviceRoots, passes);
      r++;
    }
    return r;
  }
}
