package org.gpuattest.attestor;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gpuattest.kernels.Device;

/**
 * How often each piece of the prover's CPU work after {@code go} has run in this JVM: the
 * pieces that sit inside the validator's clock of a ready/go start (docs/protocol.md §3.2)
 * other than the devices' own work. Each piece counts itself where it runs, and {@link WarmUp}
 * runs every one of them before {@code ready}, because the first run of Java code is slow
 * (class loading, the interpreter, the JIT) and must not be paid for on the clock. A test
 * compares the counts at {@code ready} with those after the commitment: every piece that ran
 * after {@code go} must have run before {@code ready}. Counting, not timing, so it holds on any
 * machine; the counts are per JVM because that is what the JIT's state is.
 */
public final class ClockedWork {
  /** Base64 and JSON of the challenge that {@code go} carries. */
  public static final String DECODE = "decode the challenge";
  /** Prepared-challenge comparison, trusted-validator check, signature and expiry. */
  public static final String CHECK = "check the challenge";
  /** {@link DeviceRun}'s threads and barriers around the devices. */
  public static final String DEVICE_RUN = "run the devices";
  /** Device reports, R(g) from the matrix roots, and the challenge digest. */
  public static final String REPORTS = "device reports and roots";
  public static final String SIGN = "sign the commitment";
  public static final String STATE = "write the prover state";
  public static final String ENCODE = "encode the commitment";
  /** Base64 and JSON of the memory seed, and its check against the commitment (§3.2). */
  public static final String MEMORY_DECODE = "decode the memory seed";
  /** {@link MemoryPhase}'s threads, the pass vectors and the memory roots. */
  public static final String MEMORY_RUN = "run the memory passes";
  public static final String MEMORY_SIGN = "sign the memory roots";
  public static final String MEMORY_ENCODE = "encode the memory roots";

  private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

  private ClockedWork() {}

  /** The host-side code of one kind of device: what its class runs on the CPU. */
  static String deviceCode(Device d) {
    return "device code " + d.getClass().getName();
  }

  /**
   * The spot check at size n ({@link ResultCheck}): named by n because its loops must have run
   * at the challenge's own size, where the JIT compiles them for that size's paths.
   */
  public static String spotCheck(int n) {
    return "spot check at n=" + n;
  }

  /** Notes that {@code piece} runs once more. */
  static void ran(String piece) {
    COUNTS.computeIfAbsent(piece, k -> new AtomicLong()).incrementAndGet();
  }

  /** How often each piece has run in this JVM so far, by name. */
  public static Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    COUNTS.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
