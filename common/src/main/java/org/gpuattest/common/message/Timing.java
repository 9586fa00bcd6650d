package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One device's clock readings, in nanoseconds since the Unix epoch on the prover's clock:
 * when it passed the start, mid and end barriers, and the time its kernels ran in total.
 */
public record Timing(
    @JsonProperty(required = true) long startNanos,
    @JsonProperty(required = true) long midNanos,
    @JsonProperty(required = true) long endNanos,
    @JsonProperty(required = true) long kernelNanos) {
  public Timing {
    if (startNanos < 0 || midNanos < 0 || endNanos < 0 || kernelNanos < 0) {
      throw new IllegalArgumentException("timing values must not be negative");
    }
  }
}
