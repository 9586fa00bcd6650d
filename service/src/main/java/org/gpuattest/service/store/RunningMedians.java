package org.gpuattest.service.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@link RateMedians} of the rates {@link FleetState} holds, kept as each rate is added or
 * removed (O(log n) each, {@link RankedDoubles}) rather than computed from every rate at each
 * request: only the medians of the providers and models whose rates changed since the last
 * answer are taken again, and an answer with nothing changed is the last one. Guarded by
 * FleetState's lock.
 */
final class RunningMedians {
  private final Map<String, RankedDoubles> byProvider = new HashMap<>(); // by RateMedians.key
  private final Map<String, RankedDoubles> byModel = new HashMap<>();
  /** Memory TB/s of the rates with a memory phase, by RateMedians.key. */
  private final Map<String, RankedDoubles> memoryByProvider = new HashMap<>();
  private final Map<String, RateMedians.Own> own = new HashMap<>();
  private final Map<String, Double> models = new HashMap<>();
  private final Set<String> changedProviders = new HashSet<>();
  private final Set<String> changedModels = new HashSet<>();
  private RateMedians answer = new RateMedians(Map.of(), Map.of());
  /** Rates added or removed, and medians taken, since this was made: tests count them. */
  long touched;
  long computed;

  void add(Store.Rate r) {
    if (RateMedians.counts(r)) {
      String key = RateMedians.key(r.provider(), r.model());
      byProvider.computeIfAbsent(key, k -> new RankedDoubles()).add(r.tflopsPerGpu());
      byModel.computeIfAbsent(r.model(), k -> new RankedDoubles()).add(r.tflopsPerGpu());
      if (r.memoryTBps() != null) {
        memoryByProvider.computeIfAbsent(key, k -> new RankedDoubles()).add(r.memoryTBps());
      }
      changed(key, r.model());
    }
  }

  void remove(Store.Rate r) {
    if (RateMedians.counts(r)) {
      String key = RateMedians.key(r.provider(), r.model());
      RankedDoubles p = byProvider.get(key);
      RankedDoubles m = byModel.get(r.model());
      if (p == null || m == null || !p.remove(r.tflopsPerGpu())
          || !m.remove(r.tflopsPerGpu())) {
        throw new IllegalStateException("a rate removed that was never added: " + r);
      }
      if (r.memoryTBps() != null) {
        RankedDoubles mem = memoryByProvider.get(key);
        if (mem == null || !mem.remove(r.memoryTBps())) {
          throw new IllegalStateException("a memory rate removed that was never added: " + r);
        }
      }
      changed(key, r.model());
    }
  }

  private void changed(String key, String model) {
    touched++;
    changedProviders.add(key);
    changedModels.add(model);
  }

  /** The medians now: those changed taken again, the others as last answered. */
  RateMedians answer() {
    if (changedProviders.isEmpty() && changedModels.isEmpty()) {
      return answer;
    }
    for (String key : changedProviders) {
      RankedDoubles p = byProvider.get(key);
      RankedDoubles mem = memoryByProvider.get(key);
      if (mem != null && mem.size() == 0) {
        memoryByProvider.remove(key);
        mem = null;
      }
      if (p.size() == 0) {
        byProvider.remove(key);
        own.remove(key);
      } else {
        own.put(key, new RateMedians.Own(p.median(), p.size(),
            mem == null ? null : mem.median()));
        computed++;
      }
    }
    for (String model : changedModels) {
      RankedDoubles m = byModel.get(model);
      if (m.size() == 0) {
        byModel.remove(model);
        models.remove(model);
      } else {
        models.put(model, m.median());
        computed++;
      }
    }
    changedProviders.clear();
    changedModels.clear();
    answer = new RateMedians(own, models);
    return answer;
  }
}
