package org.gpuattest.service.store;

import java.time.Instant;

/**
 * One attestation as the index keeps it. Times are null until reached; the outcome fields are
 * those of its {@link Result} once it has ended.
 */
public record AttestationRow(String id, String provider, Store.State state, String instance,
    Instant requestedAt, Instant startedAt, Instant finishedAt, String challengeId,
    String model, int gpus, String summary, String failedChecks, String proverFailure,
    String backend, Double tflopsPerGpu, Double elapsedSeconds, String archivePath,
    Double memoryTBps) {
  /** A row without a memory phase's rate. */
  public AttestationRow(String id, String provider, Store.State state, String instance,
      Instant requestedAt, Instant startedAt, Instant finishedAt, String challengeId,
      String model, int gpus, String summary, String failedChecks, String proverFailure,
      String backend, Double tflopsPerGpu, Double elapsedSeconds, String archivePath) {
    this(id, provider, state, instance, requestedAt, startedAt, finishedAt, challengeId, model,
        gpus, summary, failedChecks, proverFailure, backend, tflopsPerGpu, elapsedSeconds,
        archivePath, null);
  }
}
