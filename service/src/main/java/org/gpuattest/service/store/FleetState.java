package org.gpuattest.service.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * This instance's in-memory view of the provider list and the passing rates of the last {@link
 * Store#RATE_WINDOW} (docs/benchmarks.md, "Service"): what {@link Store#providers}, {@link
 * Store#provider} and {@link Store#passingRates} answer, so that reading the list costs no
 * database query and never waits for the scheduler's write transactions. The database stays the
 * source of truth: every write of this instance re-reads the provider's row in its own
 * transaction and applies it after the commit; a refresh every {@link JdbcStore#REFRESH}
 * applies the rows other instances (or 'serve --reindex') wrote.
 *
 * <p>Each provider's row carries a {@code version} that every change of it increments, under
 * the database's row lock: a row is applied only when newer than the one held, so a slow
 * refresh never undoes a newer write. Its {@code results} counts its attestations' results; the
 * rates held for it are those of results number {@link Entry#ratesOf}: a result of this
 * instance is applied as a change when it is the next one, and otherwise the refresh re-reads
 * that provider's rates.
 */
final class FleetState {
  /** One provider's row as read, with its version and its count of results. */
  record Row(ProviderStatus status, long version, long results) {}

  /** A passing rate with its attestation's id (the order's tie-break, and the key). */
  record Rated(String id, Store.Rate rate) {}

  private static final Comparator<ProviderStatus> LIST_ORDER = Comparator
      .comparing((ProviderStatus p) -> !p.active()).thenComparing(ProviderStatus::name);
  private static final Comparator<Rated> RATE_ORDER = Comparator
      .comparing((Rated r) -> r.rate().finishedAt()).thenComparing(Rated::id);

  private static final class Entry {
    Row row;
    final Map<String, Store.Rate> rates = new HashMap<>();
    /** The results the rates are those of; -1 when they must be read again. */
    long ratesOf = -1;
  }

  private final Map<String, Entry> entries = new HashMap<>();
  /** Rates finished before this are not held (older ones are read from the database). */
  private Instant horizon;
  private List<ProviderStatus> list; // null when changed since built
  private List<Rated> sortedRates; // null when changed since built

  FleetState(Instant horizon) {
    this.horizon = horizon;
  }

  /** Whether {@code row}'s rates must be read with it: none held, or not those of its results. */
  synchronized boolean needsRates(Row row) {
    Entry e = entries.get(row.status().name());
    return e == null || e.ratesOf != row.results();
  }

  /**
   * Applies a row read from the database, newer than the one held, with its rates read after
   * it ({@code rates} null: the held ones are still its results').
   */
  synchronized void apply(Row row, List<Rated> rates) {
    Entry e = entries.computeIfAbsent(row.status().name(), n -> new Entry());
    if (e.row != null && e.row.version() >= row.version()) {
      return;
    }
    e.row = row;
    list = null;
    if (rates != null) {
      e.rates.clear();
      rates.forEach(r -> keep(e, r));
      e.ratesOf = row.results();
      sortedRates = null;
    } else if (e.ratesOf != row.results()) {
      e.ratesOf = -1;
    }
  }

  /**
   * Applies a row this instance's result wrote, read in that result's transaction: the result
   * changed one attestation, {@code attestationId}, whose passing rate is now {@code rate}
   * (null: none). The change is applied to the rates when it is the next result after those
   * held; otherwise the next refresh reads them again.
   */
  synchronized void applyResult(Row row, String attestationId, Store.Rate rate) {
    Entry e = entries.get(row.status().name());
    boolean next = e != null && e.ratesOf == row.results() - 1;
    apply(row, null);
    Entry now = entries.get(row.status().name());
    if (next && now.row == row) {
      now.rates.remove(attestationId);
      if (rate != null) {
        keep(now, new Rated(attestationId, rate));
      }
      now.ratesOf = row.results();
      sortedRates = null;
    }
  }

  private void keep(Entry e, Rated r) {
    if (!r.rate().finishedAt().isBefore(horizon)) {
      e.rates.put(r.id(), r.rate());
    }
  }

  /** Drops the rates finished before {@code from}: they are read from the database if asked. */
  synchronized void forget(Instant from) {
    if (!from.isAfter(horizon)) {
      return;
    }
    horizon = from;
    for (Entry e : entries.values()) {
      e.rates.values().removeIf(r -> r.finishedAt().isBefore(from));
    }
    sortedRates = null;
  }

  synchronized Instant horizon() {
    return horizon;
  }

  /** Every provider, active ones first, by name: an unmodifiable list, rebuilt on change. */
  synchronized List<ProviderStatus> providers() {
    if (list == null) {
      List<ProviderStatus> out = new ArrayList<>(entries.size());
      entries.values().forEach(e -> out.add(e.row.status()));
      out.sort(LIST_ORDER);
      list = Collections.unmodifiableList(out);
    }
    return list;
  }

  synchronized Optional<ProviderStatus> provider(String name) {
    Entry e = entries.get(name);
    return e == null ? Optional.empty() : Optional.of(e.row.status());
  }

  /**
   * The passing rates finished at or after {@code since}, oldest first; empty when some of them
   * may be older than what is held (the caller reads the database then).
   */
  synchronized Optional<List<Store.Rate>> rates(Instant since) {
    if (since.isBefore(horizon)) {
      return Optional.empty();
    }
    if (sortedRates == null) {
      List<Rated> all = new ArrayList<>();
      entries.values().forEach(e -> e.rates.forEach((id, r) -> all.add(new Rated(id, r))));
      all.sort(RATE_ORDER);
      sortedRates = all;
    }
    int lo = 0;
    int hi = sortedRates.size();
    while (lo < hi) { // the first rate finished at or after since
      int mid = (lo + hi) >>> 1;
      if (sortedRates.get(mid).rate().finishedAt().isBefore(since)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return Optional.of(sortedRates.subList(lo, sortedRates.size()).stream()
        .map(Rated::rate).toList());
  }
}
