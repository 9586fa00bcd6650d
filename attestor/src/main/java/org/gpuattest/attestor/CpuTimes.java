package org.gpuattest.attestor;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The prover's own CPU work on the validator's clock in one run (docs/protocol.md §3.2): from
 * taking the challenge to starting the devices (decoding, the challenge checks), and from the
 * devices' end to the state write (the spot check, the reports and roots, signing, the state).
 * The part before signing is what the commitment reports as {@code proverCpuNanos}; the rest
 * is printed with it on stderr. Read on the monotonic clock, one reading per step.
 */
final class CpuTimes {
  private final LongSupplier clock;
  private final long go;
  private long devicesStart;
  private long devicesEnd;
  private long checked;
  private long reported;
  private long signed;
  private long saved;

  /** @param goNanos when the challenge was taken, on {@link System#nanoTime} */
  CpuTimes(long goNanos) {
    this(goNanos, System::nanoTime);
  }

  CpuTimes(long goNanos, LongSupplier clock) {
    this.clock = clock;
    this.go = goNanos;
  }

  void devicesStart() {
    devicesStart = clock.getAsLong();
  }

  void devicesEnd() {
    devicesEnd = clock.getAsLong();
  }

  void checked() {
    checked = clock.getAsLong();
  }

  void reported() {
    reported = clock.getAsLong();
  }

  void signed() {
    signed = clock.getAsLong();
  }

  void saved() {
    saved = clock.getAsLong();
  }

  /** The CPU work up to signing, outside the devices' run: what the commitment carries. */
  long beforeSigning() {
    return (devicesStart - go) + (reported - devicesEnd);
  }

  /**
   * "CPU work on the clock: 0.002 s before the devices, 0.031 s after them up to signing (spot
   * check 0.029 s), signing 0.001 s, state write 0.002 s; 0.036 s in all".
   */
  @Override
  public String toString() {
    long total = beforeSigning() + (saved - reported);
    return "CPU work on the clock: " + seconds(devicesStart - go) + " before the devices, "
        + seconds(reported - devicesEnd) + " after them up to signing (spot check "
        + seconds(checked - devicesEnd) + "), signing " + seconds(signed - reported)
        + ", state write " + seconds(saved - signed) + "; " + seconds(total) + " in all";
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
  }
}
