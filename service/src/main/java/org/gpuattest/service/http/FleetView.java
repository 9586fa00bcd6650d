package org.gpuattest.service.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.ProviderStatus;
import org.gpuattest.service.store.RateMedians;
import org.gpuattest.service.store.Store;

/**
 * The providers' latest state as the API and the status page show it: each provider's median
 * TFLOP/s per GPU and whether it is flagged, as 'validator fleet' flags (docs/operators.md,
 * "Fleet report": the median of its passing cuda attestations more than 10% below its model's
 * median over every provider), and the median memory bandwidth of its passing cuda
 * attestations with a memory phase ('validator fleet''s MEMORY TB/S), over the attestations of
 * the last {@link #WINDOW}: the medians as the store keeps them ({@link Store#medians}), not
 * taken again from every rate at each request.
 */
final class FleetView {
  /** The rates the medians and plots are taken over. */
  static final Duration WINDOW = Store.RATE_WINDOW;

  /** What the API says of one provider. */
  record ProviderView(String name, String model, int gpus, long intervalSeconds,
      boolean active, String state, String nextDue, String attesting, int failuresInARow,
      long passed, long failed, long proverFailures, String lastPassAt,
      Double medianTflopsPerGpu, int medianOf, Double vsModelMedian, boolean flagged,
      Double medianMemoryTBps, AttestationView last) {}

  /** What the API says of one attestation. */
  record AttestationView(String id, String provider, String state, String instance,
      String requestedAt, String startedAt, String finishedAt, String challengeId,
      String model, int gpus, String summary, List<String> failedChecks, String proverFailure,
      String backend, Double tflopsPerGpu, Double elapsedSeconds, Double memoryTBps,
      boolean archived) {
    static AttestationView of(AttestationRow a) {
      return new AttestationView(a.id(), a.provider(), a.state().name().toLowerCase(
          java.util.Locale.ROOT), a.instance(), text(a.requestedAt()), text(a.startedAt()),
          text(a.finishedAt()), a.challengeId(), a.model(), a.gpus(), a.summary(),
          a.failedChecks() == null ? List.of() : List.of(a.failedChecks().split(",")),
          a.proverFailure(), a.backend(), a.tflopsPerGpu(), a.elapsedSeconds(), a.memoryTBps(),
          a.archivePath() != null);
    }
  }

  /** The providers, failing and flagged ones first, then by name. */
  static List<ProviderView> of(List<ProviderStatus> providers, RateMedians medians,
      Instant now) {
    List<ProviderView> out = new ArrayList<>(providers.size());
    for (ProviderStatus p : providers) {
      RateMedians.Median m = medians.of(p.name(), p.model());
      out.add(new ProviderView(p.name(), p.model(), p.gpus(), p.interval().toSeconds(),
          p.active(), state(p, m.flagged(), now), text(p.nextDue()), p.holder(now).orElse(null),
          p.failuresInARow(), p.passed(), p.failed(), p.proverFailures(),
          text(p.lastPassAt()), m.median(), m.of(), m.vsModel(), m.flagged(),
          m.memoryMedian(),
          p.last() == null ? null : AttestationView.of(p.last())));
    }
    out.sort(Comparator.comparingInt(FleetView::rank).thenComparing(ProviderView::name));
    return out;
  }

  /** inactive, failing, flagged, attesting, pending (never attested) or ok. */
  static String state(ProviderStatus p, boolean flagged, Instant now) {
    if (!p.active()) {
      return "inactive";
    }
    if (p.failuresInARow() > 0) {
      return "failing";
    }
    if (flagged) {
      return "flagged";
    }
    if (p.holder(now).isPresent()) {
      return "attesting";
    }
    return p.last() == null ? "pending" : "ok";
  }

  private static int rank(ProviderView v) {
    return switch (v.state()) {
      case "failing" -> 0;
      case "flagged" -> 1;
      case "inactive" -> 5;
      default -> 2;
    };
  }

  static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
