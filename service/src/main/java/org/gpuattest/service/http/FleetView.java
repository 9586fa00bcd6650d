package org.gpuattest.service.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.ProviderStatus;
import org.gpuattest.service.store.Store;
import org.gpuattest.validator.fleet.FleetReport;

/**
 * The providers' latest state as the API and the status page show it: each provider's median
 * TFLOP/s per GPU and whether it is flagged, as 'validator fleet' flags (docs/operators.md,
 * "Fleet report": the median of its passing cuda attestations more than 10% below its model's
 * median over every provider), and the median memory bandwidth of its passing cuda
 * attestations with a memory phase ('validator fleet''s MEMORY TB/S), over the attestations of
 * the last {@link #WINDOW}.
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
  static List<ProviderView> of(List<ProviderStatus> providers, List<Store.Rate> rates,
      Instant now) {
    Map<String, List<Double>> byModel = new HashMap<>();
    Map<String, List<Double>> byProvider = new HashMap<>();
    Map<String, List<Double>> memoryByProvider = new HashMap<>();
    for (Store.Rate r : rates) {
      if ("cuda".equals(r.backend())) { // a CPU demo's rate proves no GPU's
        byModel.computeIfAbsent(r.model(), m -> new ArrayList<>()).add(r.tflopsPerGpu());
        byProvider.computeIfAbsent(r.provider() + '\0' + r.model(), p -> new ArrayList<>())
            .add(r.tflopsPerGpu());
        if (r.memoryTBps() != null) {
          memoryByProvider.computeIfAbsent(r.provider() + '\0' + r.model(),
              p -> new ArrayList<>()).add(r.memoryTBps());
        }
      }
    }
    List<ProviderView> out = new ArrayList<>();
    for (ProviderStatus p : providers) {
      List<Double> own = byProvider.getOrDefault(p.name() + '\0' + p.model(), List.of());
      Double median = FleetReport.median(own);
      Double modelMedian = FleetReport.median(byModel.getOrDefault(p.model(), List.of()));
      Double ratio = median != null && modelMedian != null && modelMedian > 0
          ? median / modelMedian : null;
      boolean flagged = ratio != null && ratio < FleetReport.FLAG_BELOW;
      out.add(new ProviderView(p.name(), p.model(), p.gpus(), p.interval().toSeconds(),
          p.active(), state(p, flagged, now), text(p.nextDue()), p.holder(now).orElse(null),
          p.failuresInARow(), p.passed(), p.failed(), p.proverFailures(),
          text(p.lastPassAt()), median, own.size(), ratio, flagged,
          FleetReport.median(memoryByProvider.getOrDefault(p.name() + '\0' + p.model(),
              List.of())),
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
