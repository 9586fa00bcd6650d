package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.gpuattest.common.Limits;

/**
 * What the monitored kernel saw: how many blocks ran on each SM (indexed by %smid; for the
 * CPU backend, by worker thread), and the fraction of the kernel's wall time the SMs were
 * busy.
 */
public record SmMonitor(long[] blocksPerSm, @JsonProperty(required = true) double busyFraction) {
  public SmMonitor {
    Limits.required("blocksPerSm", blocksPerSm);
    if (blocksPerSm.length > Limits.MAX_SMS) {
      throw new IllegalArgumentException(
          "blocksPerSm has " + blocksPerSm.length + " entries, at most " + Limits.MAX_SMS);
    }
    for (long b : blocksPerSm) {
      if (b < 0) {
        throw new IllegalArgumentException("blocksPerSm must not be negative, got " + b);
      }
    }
    if (!(busyFraction >= 0.0 && busyFraction <= 1.0)) {
      throw new IllegalArgumentException("busyFraction must be in [0, 1], got " + busyFraction);
    }
    blocksPerSm = blocksPerSm.clone();
  }

  @Override
  public long[] blocksPerSm() {
    return blocksPerSm.clone();
  }

  /**
   * SMs that ran at least one block: the distinct %smid with blocks, never an index range, as
   * ids need not lie below the SM count (an H100 SXM enables 132 of 144; docs/protocol.md §8.3,
   * sm.coverage).
   */
  @JsonIgnore
  public int coveredSms() {
    int covered = 0;
    for (long b : blocksPerSm) {
      if (b > 0) {
        covered++;
      }
    }
    return covered;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SmMonitor s
        && java.util.Arrays.equals(blocksPerSm, s.blocksPerSm)
        && Double.compare(busyFraction, s.busyFraction) == 0;
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(blocksPerSm) * 31 + Double.hashCode(busyFraction);
  }

  @Override
  public String toString() {
    return "SmMonitor[sms=" + blocksPerSm.length + ", busyFraction=" + busyFraction + "]";
  }
}
