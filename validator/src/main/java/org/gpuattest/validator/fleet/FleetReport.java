package org.gpuattest.validator.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fleet report (docs/operators.md, "Fleet report"): per provider and claimed model, attestations
 * passed and failed and the median rate per GPU of the passing ones; per model, the median over
 * all its passing attestations, whoever proved them; and every provider whose median is more
 * than 10% below its model's flagged. Rates are attestation.timing.tflopsPerGpu
 * (docs/protocol.md section 4.5), of passing cuda attestations only; beside them the median
 * memory bandwidth their memory phases showed (memory.window's shownTBps), where they had one.
 * Flags go by the rate alone.
 *
 * @param since the earliest verifiedAt counted (ISO-8601), or null for the whole archive
 * @param flagBelow the ratio to the model's median under which a provider is flagged
 * @param attestations exchanges counted; {@code skipped}: entries not counted (unreadable,
 *     incomplete, not authentic, or a copy of one counted)
 * @param unsigned of those counted, how many carry no validator signature (--allow-unsigned)
 * @param flagged how many provider rows are flagged
 */
public record FleetReport(int version, String archive, String since, double flagBelow,
    int attestations, int unsigned, int skipped, int flagged, List<ProviderRow> providers,
    List<ModelRow> models) {
  /** A provider more than 10% below its model's median is flagged: ratio under 0.90. */
  public static final double FLAG_BELOW = 0.90;

  public FleetReport {
    providers = List.copyOf(providers);
    models = List.copyOf(models);
  }

  /**
   * One provider's attestations of one model. Labels and key ids are separate namespaces: a
   * label that happens to spell a key id is its own group.
   *
   * @param provider the group's name: the --provider label, else the prover's key id, else
   *     "unknown"
   * @param by which of those {@code provider} is: "label", "key" or "unknown"
   * @param label the --provider label, or null when the archive records none
   * @param proverKeyIds the prover key ids seen in the group, sorted
   * @param medianTflopsPerGpu median over the group's passing cuda attestations; null if none
   * @param medianOf how many attestations that median rests on
   * @param vsModelMedian this median over the model's; null when either is missing
   * @param medianMemoryTBps median memory bandwidth over the group's passing cuda
   *     attestations with a memory phase, TB/s; null if none
   */
  public record ProviderRow(String provider, String by, String label, List<String> proverKeyIds,
      String model, int passed, int failed, Double medianTflopsPerGpu, int medianOf,
      Double vsModelMedian, boolean flagged, Double medianMemoryTBps) {
    public ProviderRow {
      proverKeyIds = List.copyOf(proverKeyIds);
    }
  }

  /** One claimed model over every provider; {@code providers} counts the provider rows. */
  public record ModelRow(String model, int passed, int failed, Double medianTflopsPerGpu,
      int medianOf, int providers, Double medianMemoryTBps) {}

  /** The report over {@code entries}, flagging below {@link #FLAG_BELOW}. */
  public static FleetReport of(String archive, Instant since, List<FleetEntry> entries,
      int skipped) {
    Map<String, List<FleetEntry>> byModel = new TreeMap<>();
    for (FleetEntry e : entries) {
      byModel.computeIfAbsent(e.modelOrUnknown(), m -> new ArrayList<>()).add(e);
    }
    List<ProviderRow> providers = new ArrayList<>();
    List<ModelRow> models = new ArrayList<>();
    for (Map.Entry<String, List<FleetEntry>> m : byModel.entrySet()) {
      List<Double> modelRates = rates(m.getValue());
      Double modelMedian = median(modelRates);
      // Grouped by name, then namespace: "acme" the label and "acme" a key id stay apart.
      Map<String, List<FleetEntry>> byProvider = new TreeMap<>();
      for (FleetEntry e : m.getValue()) {
        byProvider.computeIfAbsent(e.provider() + '\0' + e.by(), p -> new ArrayList<>())
            .add(e);
      }
      for (List<FleetEntry> group : byProvider.values()) {
        providers.add(row(group.get(0), m.getKey(), group, modelMedian));
      }
      int passed = (int) m.getValue().stream().filter(FleetEntry::passed).count();
      models.add(new ModelRow(m.getKey(), passed, m.getValue().size() - passed, modelMedian,
          modelRates.size(), byProvider.size(), median(memoryRates(m.getValue()))));
    }
    int flagged = (int) providers.stream().filter(ProviderRow::flagged).count();
    int unsigned = (int) entries.stream().filter(e -> !e.signed()).count();
    return new FleetReport(1, archive, since == null ? null : since.toString(), FLAG_BELOW,
        entries.size(), unsigned, skipped, flagged, providers, models);
  }

  private static ProviderRow row(FleetEntry first, String model, List<FleetEntry> group,
      Double modelMedian) {
    TreeSet<String> keys = new TreeSet<>();
    String label = null;
    for (FleetEntry e : group) {
      if (e.proverKeyId() != null) {
        keys.add(e.proverKeyId());
      }
      label = e.providerLabel() != null ? e.providerLabel() : label;
    }
    int passed = (int) group.stream().filter(FleetEntry::passed).count();
    List<Double> rates = rates(group);
    Double median = median(rates);
    Double ratio = median != null && modelMedian != null && modelMedian > 0
        ? median / modelMedian : null;
    return new ProviderRow(first.provider(), first.by(), label, List.copyOf(keys), model,
        passed, group.size() - passed, median, rates.size(), ratio,
        ratio != null && ratio < FLAG_BELOW, median(memoryRates(group)));
  }

  private static List<Double> rates(List<FleetEntry> entries) {
    return entries.stream().filter(FleetEntry::countsForThroughput)
        .map(FleetEntry::tflopsPerGpu).toList();
  }

  private static List<Double> memoryRates(List<FleetEntry> entries) {
    return entries.stream().filter(FleetEntry::countsForMemory)
        .map(FleetEntry::memoryTBps).toList();
  }

  /** The middle value, or the mean of the two middle ones for an even count; null if none. */
  public static Double median(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid)
        : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }
}
