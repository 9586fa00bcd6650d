package org.gpuattest.service.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import org.gpuattest.service.fleet.Provider;
import org.gpuattest.service.run.Outcome;

/**
 * The service's metrics (docs/service.md, "Metrics"), through the official Prometheus Java
 * client, in a registry of their own: base units in the names, {@code _total} for counters, and
 * few labels (provider, model, outcome, reason), so their series grow with the fleet only.
 */
public final class ServiceMetrics {
  /** The text format's content type, for /metrics. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter attestations = Counter.builder()
      .name("gpu_attest_attestations_total")
      .help("Attestations ended, by provider, claimed model and outcome (pass, fail,"
          + " interrupted, error)")
      .labelNames("provider", "model", "outcome").register(registry);
  private final Counter proverFailures = Counter.builder()
      .name("gpu_attest_prover_failures_total")
      .help("Attestations the prover failed, by the check that names how (prover.exit,"
          + " prover.timeout, prover.output, devices.*)")
      .labelNames("provider", "reason").register(registry);
  private final Counter archiveFailures = Counter.builder()
      .name("gpu_attest_archive_failures_total")
      .help("Verdicts that could not be kept in the evidence archive").register(registry);
  private final Histogram attestationSeconds = Histogram.builder()
      .name("gpu_attest_attestation_duration_seconds")
      .help("From a challenge's issue to its verdict").unit(Unit.SECONDS).classicOnly()
      .classicUpperBounds(0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600).register(registry);
  private final Histogram verifySeconds = Histogram.builder()
      .name("gpu_attest_verify_duration_seconds")
      .help("The verification of an attestation's openings on this validator's CPU")
      .unit(Unit.SECONDS).classicOnly()
      .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
      .register(registry);
  private final Gauge tflops = Gauge.builder()
      .name("gpu_attest_tflops_per_gpu")
      .help("The rate per GPU of each provider's latest passing attestation, on the"
          + " validator's clock (TFLOP/s)")
      .labelNames("provider", "model").register(registry);
  private final Gauge memory = Gauge.builder()
      .name("gpu_attest_memory_bytes_per_second")
      .help("The memory phase's rate of each provider's latest passing attestation that had"
          + " one, on the validator's clock ('validator fleet''s MEMORY TB/S, times 1e12)")
      .labelNames("provider", "model").register(registry);
  private final Gauge lastPass = Gauge.builder()
      .name("gpu_attest_last_pass_timestamp_seconds")
      .help("When each provider last passed (Unix time)").unit(Unit.SECONDS)
      .labelNames("provider").register(registry);
  private final Gauge queueDepth = Gauge.builder()
      .name("gpu_attest_scheduler_queue_depth")
      .help("Providers due and waiting for a free slot").register(registry);
  private final Gauge running = Gauge.builder()
      .name("gpu_attest_attestations_running")
      .help("Attestations running on this instance").register(registry);

  /** Counts one attestation's end. */
  public void ended(Provider p, Outcome o) {
    String model = p.challenge().model();
    attestations.labelValues(p.name(), model,
        o.result().state().name().toLowerCase(Locale.ROOT).replace("passed", "pass")
            .replace("failed", "fail")).inc();
    if (o.result().proverFailure() != null) {
      proverFailures.labelValues(p.name(), o.result().proverFailure()).inc();
    }
    if (o.archiveProblem() != null) {
      archiveFailures.inc();
    }
    if (o.verdict() != null) {
      attestationSeconds.observe(o.attestationSeconds());
    }
    if (o.verifySeconds() != null) {
      verifySeconds.observe(o.verifySeconds());
    }
    if (o.verdict() != null && o.verdict().passed()) {
      if (o.result().tflopsPerGpu() != null) {
        tflops.labelValues(p.name(), model).set(o.result().tflopsPerGpu());
      }
      if (o.result().memoryTBps() != null) {
        memory.labelValues(p.name(), model).set(o.result().memoryTBps() * 1e12);
      }
      lastPass.labelValues(p.name()).set(o.result().finishedAt().toEpochMilli() / 1000.0);
    }
  }

  public void queueDepth(long due) {
    queueDepth.set(due);
  }

  public void running(int n) {
    running.set(n);
  }

  /** The Prometheus text format of every metric. */
  public void write(OutputStream out) throws IOException {
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
  }
}
