package org.gpuattest.validator.fleet;

import java.time.Instant;

/**
 * What the fleet report keeps of one archived exchange (docs/operators.md, "Fleet report"): who proved,
 * what model was claimed, whether the verdict passed, and the rate per GPU the validator's
 * clock showed. The verdict itself is not kept, so a large archive costs little memory.
 *
 * @param challengeId the exchange's folder name, 32 hex digits
 * @param providerLabel the operator's --provider label from record.json; null when none
 * @param proverKeyId the id of the key that signed the session's commitment, where that
 *     signature verifies; null without one (docs/protocol.md 4.5: never the verdict's word
 *     alone)
 * @param model the claimed model: the session's challenge's
 * @param backend the verdict's attestation.backend; null without an attestation
 * @param tflopsPerGpu the verdict's attestation.timing.tflopsPerGpu; null when absent
 * @param memoryTBps the verdict's memory.window figure shownTBps (the kept bytes streamed a
 *     pass, over the memory phase's time on the validator's clock); null without one
 * @param verifiedAt record.json's verifiedAt
 * @param signed the exchange carries a trusted validator's signature; false only for an
 *     unsigned one counted with --allow-unsigned
 */
public record FleetEntry(String challengeId, String providerLabel, String proverKeyId,
    String model, boolean passed, String backend, Double tflopsPerGpu, Double memoryTBps,
    Instant verifiedAt, boolean signed) {
  /** Group name for a provider with no label and no key id (a prover failure, unlabelled). */
  public static final String UNKNOWN = "unknown";
  /** What a provider group is named by: kept apart, so a label never joins a key's group. */
  public static final String BY_LABEL = "label";
  public static final String BY_KEY = "key";
  public static final String BY_UNKNOWN = "unknown";

  /** The provider's name within {@link #by()}: the label, else the key id, else unknown. */
  public String provider() {
    if (providerLabel != null) {
      return providerLabel;
    }
    return proverKeyId != null ? proverKeyId : UNKNOWN;
  }

  /** {@link #BY_LABEL}, {@link #BY_KEY} or {@link #BY_UNKNOWN}: which namespace provider is in. */
  public String by() {
    if (providerLabel != null) {
      return BY_LABEL;
    }
    return proverKeyId != null ? BY_KEY : BY_UNKNOWN;
  }

  /** The model this exchange counts for; {@link #UNKNOWN} when none is known. */
  public String modelOrUnknown() {
    return model != null ? model : UNKNOWN;
  }

  /**
   * True when this exchange's rate enters the medians: a passing verdict on the cuda backend
   * with a measured rate. A CPU run passes only with --allow-cpu (a demo), and its rate says
   * nothing about GPUs.
   */
  public boolean countsForThroughput() {
    return passed && "cuda".equals(backend) && tflopsPerGpu != null;
  }

  /** True when this exchange's memory bandwidth enters the medians, as for the rate. */
  public boolean countsForMemory() {
    return passed && "cuda".equals(backend) && memoryTBps != null;
  }
}
