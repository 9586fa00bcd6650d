package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import org.gpuattest.common.Limits;

/**
 * What a verdict judged, as numbers and ids a program can read without parsing any check's
 * sentence (docs/protocol.md section 4.5): the claim (model, n, T, G, samples, from the
 * validator's own challenge), what the prover's commitment reports (backend, signing key, device
 * UUIDs: its words, worth only as much as the verdict's checks), and the timing the validator
 * measured. A verdict carries one whenever a commitment was taken, a prover that failed at
 * 'open' after committing included; a prover that failed before committing leaves it absent.
 *
 * @param rowsRequested the distinct rows the opening request named: K, or all G x T x n rows
 *     where K is more (docs/protocol.md section 7); null only in a verdict made before this
 *     field existed
 * @param backend "cuda" or "cpu" when every device reports it, "mixed" otherwise
 * @param proverPublicKey the commitment's signer, the PEM exactly as the commitment carries it
 * @param proverKeyId the key's {@code Ed25519PublicKey.keyId()}, only when the commitment's
 *     signature verifies with that key; null otherwise (signature.prover then fails), so no
 *     verdict is attributed to a key that did not sign it
 * @param deviceUuids each device report's uuid, in index order, as the commitment spells it
 * @param verifiedAt when the validator decided, an ISO-8601 instant
 */
public record Attestation(
    String model,
    @JsonProperty(required = true) int dim,
    @JsonProperty(required = true) int iterations,
    @JsonProperty(required = true) int devices,
    @JsonProperty(required = true) int samples,
    Integer rowsRequested,
    String backend,
    String proverPublicKey,
    String proverKeyId,
    List<String> deviceUuids,
    String verifiedAt,
    Throughput timing) {
  public static final String MIXED = "mixed";

  public Attestation {
    Limits.text("model", model);
    Limits.work(dim, iterations, devices);
    Limits.range("samples", samples, 1, Limits.MAX_SAMPLES);
    if (rowsRequested != null) {
      Limits.range("rowsRequested", rowsRequested, 1, samples);
    }
    Limits.required("backend", backend);
    if (!backend.equals(DeviceReport.CUDA) && !backend.equals(DeviceReport.CPU)
        && !backend.equals(MIXED)) {
      throw new IllegalArgumentException("backend must be 'cuda', 'cpu' or 'mixed', got '"
          + backend + "'");
    }
    Limits.text("proverPublicKey", proverPublicKey);
    if (proverKeyId != null && !proverKeyId.matches("[0-9a-f]{16}")) {
      throw new IllegalArgumentException("proverKeyId must be 16 lower-case hex digits");
    }
    Limits.required("deviceUuids", deviceUuids);
    Limits.range("deviceUuids (count)", deviceUuids.size(), 1, Limits.MAX_DEVICES);
    for (int i = 0; i < deviceUuids.size(); i++) {
      Limits.text("deviceUuids[" + i + "]", deviceUuids.get(i));
    }
    deviceUuids = List.copyOf(deviceUuids);
    Challenge.instant("verifiedAt", verifiedAt);
    Limits.required("timing", timing);
  }

  /** This attestation with {@code rowsRequested} replaced (null: as a verdict made before it). */
  public Attestation withRowsRequested(Integer rows) {
    return new Attestation(model, dim, iterations, devices, samples, rows, backend,
        proverPublicKey, proverKeyId, deviceUuids, verifiedAt, timing);
  }

  /** When the validator decided. */
  public Instant verified() {
    return Instant.parse(verifiedAt);
  }

  /**
   * The timing the validator measured, in seconds on its own clock (docs/protocol.md section
   * 8.3). Everything but the elapsed time and where the clock started is absent (null) where it
   * cannot be stated: the window's numbers without a GPU profile (or on the CPU backend), the
   * rates when nothing measurable elapsed, the round trip when the clock started at issue.
   *
   * @param elapsedSeconds from where the clock started to the commitment's arrival
   * @param provenDevices the run's throughput in claimed GPUs' canonical rate, G x e / elapsed
   * @param provenAtBound what any passing run proves, G x e / max
   * @param tflopsPerGpu {@link #tflopsPerGpu}: each device's share of the work over the elapsed
   *     time, in TFLOP/s
   * @param startupOutside true after a ready/go start: the prover's start-up was not timed
   */
  public record Throughput(
      @JsonProperty(required = true) double elapsedSeconds,
      Double expectedSeconds,
      Double minSeconds,
      Double maxSeconds,
      Double provenDevices,
      Double provenAtBound,
      Double tflopsPerGpu,
      @JsonProperty(required = true) boolean startupOutside,
      Double roundTripSeconds) {
    public Throughput {
      finite("elapsedSeconds", elapsedSeconds);
      finite("expectedSeconds", expectedSeconds);
      finite("minSeconds", minSeconds);
      finite("maxSeconds", maxSeconds);
      finite("provenDevices", provenDevices);
      finite("provenAtBound", provenAtBound);
      finite("tflopsPerGpu", tflopsPerGpu);
      if (tflopsPerGpu != null && tflopsPerGpu < 0) {
        throw new IllegalArgumentException("timing.tflopsPerGpu must not be negative");
      }
      finite("roundTripSeconds", roundTripSeconds);
    }

    private static void finite(String field, Double v) {
      if (v != null && !Double.isFinite(v)) {
        throw new IllegalArgumentException("timing." + field + " must be a finite number");
      }
    }
  }

  /**
   * Each device's FP64 throughput the validator's clock shows, in TFLOP/s: the canonical work
   * of one device, W = 2 n^3 T (docs/soundness.md section 6), over the elapsed seconds. Null
   * when nothing measurable elapsed. The elapsed time holds the round trip and the commit step
   * (and, timed from issue, the start-up), so this is a lower bound on the GPUs' real rate.
   */
  public static Double tflopsPerGpu(int dim, int iterations, double elapsedSeconds) {
    if (!(elapsedSeconds > 0) || !Double.isFinite(elapsedSeconds)) {
      return null;
    }
    return 2.0 * dim * dim * (double) dim * iterations / elapsedSeconds / 1e12;
  }
}
