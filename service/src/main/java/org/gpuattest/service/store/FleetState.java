package org.gpuattest.service.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

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
 *
 * <p>The rates held are also kept in the order they finished, so that those aging out of the
 * window are found without a scan, and in {@link RunningMedians}, so that the medians the list
 * flags by are kept as rates come and go ({@link #medians}): answering the list costs the same
 * whatever the history.
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
    final Map<String, Rated> rates = new HashMap<>(); // by attestation id
    /** The results the rates are those of; -1 when they must be read again. */
    long ratesOf = -1;
  }

  private final Map<String, Entry> entries = new HashMap<>();
  /** Rates finished before this are not held (older ones are read from the database). */
  private Instant horizon;
  private List<ProviderStatus> list; // null when changed since built
  /** Every rate held, oldest first. */
  private final TreeSet<Rated> byTime = new TreeSet<>(RATE_ORDER);
  /** The medians are those of the rates finished at or after this (at or after horizon). */
  private Instant mediansFrom;
  private final RunningMedians medians = new RunningMedians();

  FleetState(Instant horizon) {
    this.horizon = horizon;
    this.mediansFrom = horizon;
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
      List.copyOf(e.rates.keySet()).forEach(id -> drop(e, id));
      rates.forEach(r -> keep(e, r));
      e.ratesOf = row.results();
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
      drop(now, attestationId);
      if (rate != null) {
        keep(now, new Rated(attestationId, rate));
      }
      now.ratesOf = row.results();
    }
  }

  /** Holds {@code r} as {@code e}'s, in place of any rate its attestation had. */
  private void keep(Entry e, Rated r) {
    if (!r.rate().finishedAt().isBefore(horizon)) {
      drop(e, r.id());
      e.rates.put(r.id(), r);
      byTime.add(r);
      if (!r.rate().finishedAt().isBefore(mediansFrom)) {
        medians.add(r.rate());
      }
    }
  }

  private void drop(Entry e, String id) {
    Rated r = e.rates.remove(id);
    if (r != null) {
      byTime.remove(r);
      if (!r.rate().finishedAt().isBefore(mediansFrom)) {
        medians.remove(r.rate());
      }
    }
  }

  /** A key that sorts before every rate finished at or after {@code t}. */
  private static Rated at(Instant t) {
    return new Rated("", new Store.Rate(null, null, null, 0, t, null));
  }

  /** Drops the rates finished before {@code from}: they are read from the database if asked. */
  synchronized void forget(Instant from) {
    if (!from.isAfter(horizon)) {
      return;
    }
    while (!byTime.isEmpty() && byTime.first().rate().finishedAt().isBefore(from)) {
      Rated r = byTime.first();
      drop(entries.get(r.rate().provider()), r.id()); // a rate is held by its provider's entry
    }
    horizon = from;
    if (mediansFrom.isBefore(from)) {
      mediansFrom = from;
    }
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
    List<Store.Rate> out = new ArrayList<>();
    byTime.tailSet(at(since), true).forEach(r -> out.add(r.rate()));
    return Optional.of(out);
  }

  /**
   * The medians over the rates finished at or after {@code since}; empty when some of them may
   * be older than what is held. The rates between the last answer's {@code since} and this one's
   * are added or removed, the others stay where they are: with nothing new, nothing is touched.
   */
  synchronized Optional<RateMedians> medians(Instant since) {
    if (since.isBefore(horizon)) {
      return Optional.empty();
    }
    if (since.isAfter(mediansFrom)) {
      byTime.subSet(at(mediansFrom), true, at(since), false)
          .forEach(r -> medians.remove(r.rate()));
    } else if (since.isBefore(mediansFrom)) {
      byTime.subSet(at(since), true, at(mediansFrom), false)
          .forEach(r -> medians.add(r.rate()));
    }
    mediansFrom = since;
    return Optional.of(medians.answer());
  }

  /** Rates added to or removed from the medians, and medians taken, so far (tests count). */
  synchronized long[] medianWork() {
    return new long[] {medians.touched, medians.computed};
  }
}
