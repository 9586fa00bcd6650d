package org.gpuattest.service.store;

import java.time.Instant;
import java.util.Objects;

/**
 * How an attestation ended, as the index keeps it ({@link Store#finish}).
 *
 * @param summary the verdict's last line, or what stopped it on the validator's side
 * @param failedChecks the names of the failed checks, comma-separated; null when none
 * @param proverFailure the prover.* or devices.* check of a prover's failure; null otherwise
 * @param backend the commitment's backend ("cuda", "cpu"); null without one
 * @param tflopsPerGpu the rate per GPU on the validator's clock; null without one
 * @param archivePath the exchange's folder in the evidence archive; null when not archived
 * @param memoryTBps the memory phase's rate on the validator's clock (memory.window's figure
 *     shownTBps, as 'validator fleet' reads it); null without one
 */
public record Result(Store.State state, Instant finishedAt, String challengeId, String summary,
    String failedChecks, String proverFailure, String backend, Double tflopsPerGpu,
    Double elapsedSeconds, String archivePath, Double memoryTBps) {
  public Result {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(finishedAt, "finishedAt");
    if (!state.finished()) {
      throw new IllegalArgumentException("a result's state is a finished one, not " + state);
    }
  }

  /** A result without a memory phase's rate. */
  public Result(Store.State state, Instant finishedAt, String challengeId, String summary,
      String failedChecks, String proverFailure, String backend, Double tflopsPerGpu,
      Double elapsedSeconds, String archivePath) {
    this(state, finishedAt, challengeId, summary, failedChecks, proverFailure, backend,
        tflopsPerGpu, elapsedSeconds, archivePath, null);
  }

  /** Stopped on the validator's side, for {@code why}. */
  public static Result interrupted(Instant at, String challengeId, String why) {
    return new Result(Store.State.INTERRUPTED, at, challengeId, why, null, null, null, null,
        null, null);
  }
}
