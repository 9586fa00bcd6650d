package org.gpuattest.common.util;

import java.util.Optional;

/**
 * The one rule for refusing work the JVM heap cannot hold, before anything is allocated: the
 * estimate must fit in 80% of the maximum heap (the rest is for everything else the JVM holds).
 */
public final class Heap {
  private Heap() {}

  /**
   * @param subject what needs the memory, ending in its verb, e.g. "spec: n=16384 needs"
   * @param hint what the user can do, e.g. "run java with a larger -Xmx"
   * @return the one-line refusal, or empty when {@code bytes} fits
   */
  public static Optional<String> shortfall(String subject, long bytes, String hint) {
    long have = Runtime.getRuntime().maxMemory();
    if (bytes <= have / 10 * 8) {
      return Optional.empty();
    }
    return Optional.of(String.format("%s %d MiB of heap, the JVM allows %d MiB (%s)", subject,
        bytes >> 20, have >> 20, hint));
  }
}
