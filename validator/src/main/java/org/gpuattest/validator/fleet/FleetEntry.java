package org.gpuattest.validator.fleet;

import java.time.Instant;

/**
 * What the fleet report keeps of one archived exchange (README, "Fleet report"): who proved,
 * what model was claimed, whether the verdict passed, and the rate per GPU the validator's
 * clock showed. The verdict itself is not kept, so a large archive costs little memory.
 *
 * @param challengeId the exchange's folder name, 32 hex digits
 * @param providerLabel the operator's --provider label from record.json; null when none
 * @param proverKeyId the verdict's attestation.proverKeyId; null without one
 * @param model the claimed model: the verdict's attestation, else the session's challenge;
 *     null when neither says
 * @param backend the verdict's attestation.backend; null without an attestation
 * @param tflopsPerGpu the verdict's attestation.timing.tflopsPerGpu; null when absent
 * @param verifiedAt record.json's verifiedAt
 */
public record FleetEntry(String challengeId, String providerLabel, String proverKeyId,
    String model, boolean passed, String backend, Double tflopsPerGpu, Instant verifiedAt) {
  /** Group name for a provider with no label and no key id (a prover failure, unlabelled). */
  public static final String UNKNOWN = "unknown";

  /**
   * The provider this exchange counts for: the operator's label when given, else the prover's
   * key id, else {@link #UNKNOWN}.
   */
  public String provider() {
    if (providerLabel != null) {
      return providerLabel;
    }
    return proverKeyId != null ? proverKeyId : UNKNOWN;
  }

  /** The model this exchange counts for; {@link #UNKNOWN} when neither file names one. */
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
}
