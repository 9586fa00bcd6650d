package org.gpuattest.service.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.validator.fleet.FleetReport;

/**
 * The medians the provider list flags by, as 'validator fleet' flags (docs/operators.md, "Fleet
 * report"): each provider's median TFLOP/s per GPU over its passing cuda attestations of one
 * model, and that model's median over every provider's; a provider is flagged when its median is
 * more than 10% below its model's ({@link FleetReport#FLAG_BELOW}). A CPU demo's rate proves no
 * GPU's, so only cuda rates count. Immutable: the answer of {@link Store#medians} at one moment.
 */
public final class RateMedians {
  /**
   * One provider's median and its model's.
   *
   * @param median its median; null when it has no rate
   * @param of how many rates its median is taken over
   * @param modelMedian the model's median over every provider; null when none
   * @param memoryMedian its median memory TB/s over those of its rates with a memory phase
   *     ('validator fleet''s MEMORY TB/S); null when none has one
   */
  public record Median(Double median, int of, Double modelMedian, Double memoryMedian) {
    static final Median NONE = new Median(null, 0, null, null);

    /** Its median over its model's; null when either is missing or the model's is not > 0. */
    public Double vsModel() {
      return median != null && modelMedian != null && modelMedian > 0
          ? median / modelMedian : null;
    }

    public boolean flagged() {
      Double ratio = vsModel();
      return ratio != null && ratio < FleetReport.FLAG_BELOW;
    }
  }

  /** A provider's own median, how many rates it is taken over, and its memory median. */
  record Own(double median, int of, Double memoryMedian) {}

  private final Map<String, Own> own;
  private final Map<String, Double> models;

  /** @param own by {@link #key}; @param models by model */
  RateMedians(Map<String, Own> own, Map<String, Double> models) {
    this.own = Map.copyOf(own);
    this.models = Map.copyOf(models);
  }

  /** {@code provider}'s median over its rates of {@code model}, and that model's. */
  public Median of(String provider, String model) {
    Own o = own.get(key(provider, model));
    Double m = model == null ? null : models.get(model);
    return o == null && m == null ? Median.NONE
        : new Median(o == null ? null : o.median(), o == null ? 0 : o.of(), m,
            o == null ? null : o.memoryMedian());
  }

  /** The medians of {@code rates}, each sorted whole: the answer without a running index. */
  public static RateMedians over(List<Store.Rate> rates) {
    Map<String, List<Double>> byModel = new HashMap<>();
    Map<String, List<Double>> byProvider = new HashMap<>();
    Map<String, List<Double>> memory = new HashMap<>();
    for (Store.Rate r : rates) {
      if (counts(r)) {
        byModel.computeIfAbsent(r.model(), m -> new ArrayList<>()).add(r.tflopsPerGpu());
        byProvider.computeIfAbsent(key(r.provider(), r.model()), p -> new ArrayList<>())
            .add(r.tflopsPerGpu());
        if (r.memoryTBps() != null) {
          memory.computeIfAbsent(key(r.provider(), r.model()), p -> new ArrayList<>())
              .add(r.memoryTBps());
        }
      }
    }
    Map<String, Own> own = new HashMap<>();
    byProvider.forEach((k, v) -> own.put(k, new Own(FleetReport.median(v), v.size(),
        FleetReport.median(memory.getOrDefault(k, List.of())))));
    Map<String, Double> models = new HashMap<>();
    byModel.forEach((k, v) -> models.put(k, FleetReport.median(v)));
    return new RateMedians(own, models);
  }

  /** Whether a rate counts: a cuda attestation's, of a known model. */
  static boolean counts(Store.Rate r) {
    return "cuda".equals(r.backend()) && r.model() != null && r.provider() != null;
  }

  static String key(String provider, String model) {
    return provider + '\0' + model;
  }
}
