package org.gpuattest.validator;

import org.gpuattest.common.message.ChallengeMemory;

/**
 * The time a device needs for a memory phase when it holds only part of the kept products, at
 * its best (docs/soundness.md section 9): it reads what it holds at its memory bandwidth, and
 * at the same time recomputes missing products at its FP64 tensor peak and streams others from
 * host memory over its host link, the three overlapped, so each pass takes the longest of
 * them. Held products may be held compressed ({@link MemoryWindow#INCOMPRESSIBLE_SHARE}), which
 * also shortens their reading. The round trip and the commit step are the honest run's.
 */
final class MemoryCheats {
  /** The round trip the validator measured, and the prover's real commit step. */
  static final double ROUND_TRIP = 0.005;
  static final double COMMIT = 0.05;

  private MemoryCheats() {}

  /** A device: memory (GiB), memory bandwidth and host link (TB/s), FP64 tensor peak. */
  record Device(String name, double memoryGiB, double memoryTBps, double hostLinkTBps,
      double fp64TensorTflops) {
    static Device of(GpuProfiles.Profile p, GpuProfiles.Defaults d) {
      return new Device(p.model(), p.memoryGiB(), p.memoryTBps(), d.hostLinkTBps(),
          p.fp64TensorTflops());
    }

    /** Product bytes a second its tensor cores can recompute at size n: 8 n^2 / (2 n^3). */
    double recomputeBytesPerSecond(int n) {
      return fp64TensorTflops * 1e12 * 4.0 / n;
    }
  }

  /**
   * Seconds from the memory seed to the roots when {@code d} keeps {@code held} bytes of the
   * kept products' content in its own memory (at most what its memory holds, compressed),
   * {@code compressed} saying whether it stores them compressed, and makes up the rest by
   * recomputing and streaming over its host link in the proportion of their rates.
   */
  static double seconds(Device d, int n, ChallengeMemory m, double held, boolean compressed) {
    double kept = m.keptBytes(n);
    if (held > kept) {
      throw new IllegalArgumentException("holds more than is kept");
    }
    double stored = compressed ? held * MemoryWindow.INCOMPRESSIBLE_SHARE : held;
    if (stored > d.memoryGiB() * MemoryWindow.GIB) {
      throw new IllegalArgumentException(d.name() + " cannot store " + stored + " bytes");
    }
    double missing = kept - held;
    double read = stored / (d.memoryTBps() * 1e12);
    double makeUp = missing / (d.recomputeBytesPerSecond(n) + d.hostLinkTBps() * 1e12);
    return m.passes() * Math.max(read, makeUp) + ROUND_TRIP + COMMIT;
  }

  /** The most content {@code d} can hold of this kept set: all of it, or its memory's worth. */
  static double mostHeld(Device d, int n, ChallengeMemory m, boolean compressed) {
    double room = d.memoryGiB() * MemoryWindow.GIB
        / (compressed ? MemoryWindow.INCOMPRESSIBLE_SHARE : 1);
    return Math.min(m.keptBytes(n), room);
  }

  /** Its best time: as much held as fits, compressed, the rest made up. */
  static double best(Device d, int n, ChallengeMemory m) {
    return seconds(d, n, m, mostHeld(d, n, m, true), true);
  }

  /**
   * The largest share of the kept set {@code d} can leave out (made up by recomputing and
   * the host link, the rest held uncompressed) and still answer inside {@code w}, to 1/10000.
   */
  static double largestMissingShare(Device d, int n, ChallengeMemory m, MemoryWindow w) {
    double kept = m.keptBytes(n);
    double share = 0;
    for (int k = 1; k <= 10_000; k++) {
      double s = k / 10_000.0;
      if (seconds(d, n, m, kept * (1 - s), false) > w.maxSeconds()) {
        break;
      }
      share = s;
    }
    return share;
  }
}
