package org.gpuattest.service.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The service's state (docs/service.md, "State"): the providers and their schedule, and an index
 * of attestations. The evidence archive is the record of each exchange, written first; this is
 * its index and can be rebuilt from it ({@link #index}). One implementation over JDBC serves
 * SQLite and PostgreSQL ({@link Stores#open}); both pass the same tests.
 *
 * <p>A provider's next attestation is claimed with a lease ({@link #claimDue}): while one
 * instance holds it no other instance sharing the database claims that provider, and a lease
 * not renewed ({@link #renew}) lapses after its timeout, so a host that dies releases its
 * providers. Every method is one transaction: nothing is half written.
 *
 * @throws StoreException from every method: the database cannot be read or written (the
 *     validator's own fault, never a provider's)
 */
public interface Store extends AutoCloseable {
  /**
   * The passing rates the flags, medians and plots are taken over (docs/service.md): those
   * finished this long before now, which the store keeps at hand.
   */
  Duration RATE_WINDOW = Duration.ofDays(30);

  /** What an attestation is, from its claim to its end. */
  enum State {
    /** Asked for ('attest now'), not yet started. */
    QUEUED,
    /** Claimed and running on {@link AttestationRow#instance()}. */
    RUNNING,
    PASSED,
    /** The verdict failed: a check failed or the prover failed (its check is named). */
    FAILED,
    /** Stopped on the validator's side (its stop, its crash): never the prover's failure. */
    INTERRUPTED,
    /** A fault on the validator's side (its archive, its database, its heap). */
    ERROR;

    public boolean finished() {
      return this != QUEUED && this != RUNNING;
    }
  }

  /**
   * Makes the providers table the fleet's: new providers added, due at {@code firstDue}'s
   * answer; providers kept keep their schedule; providers no longer listed become inactive
   * (their history kept).
   */
  void syncFleet(List<ProviderSpec> fleet, Instant now, FirstDue firstDue);

  /** When a provider new to the table is first due. */
  interface FirstDue {
    Instant of(String provider, Instant now);
  }

  /** What the store keeps of a fleet's provider. */
  record ProviderSpec(String name, String model, int gpus, Duration interval) {}

  /**
   * Claims the provider due soonest (due at or before {@code now}, active, not leased by a live
   * lease), leasing it to {@code instance} until {@code now + lease}, and opens its attestation:
   * the one queued for it, else a new one, in state RUNNING.
   *
   * @param skip providers not to claim (those this instance is running)
   */
  Optional<Claim> claimDue(String instance, Instant now, Duration lease, List<String> skip);

  /**
   * A claimed provider and the attestation opened for it.
   *
   * @param failuresInARow the provider's failed or errored attestations since its last pass
   */
  record Claim(String provider, String attestationId, int failuresInARow) {}

  /** Providers due at {@code now}, active and not under a live lease: the scheduler's queue. */
  long countDue(Instant now);

  /** Extends this instance's lease on {@code provider}; false when it is no longer held. */
  boolean renew(String provider, String instance, Instant until);

  /** Notes the challenge a running attestation issued, before the prover is started. */
  void challengeIssued(String attestationId, String challengeId, Instant at);

  /**
   * Ends an attestation and releases its provider's lease: its result, the provider's next due
   * time, and its count of failures in a row (0 after a pass).
   */
  void finish(String attestationId, Result result, Instant nextDue, int failuresInARow);

  /**
   * Queues an attestation of {@code provider} and makes it due now.
   *
   * @return its id; empty when the provider is not in the active fleet
   */
  Optional<String> requestNow(String provider, Instant now);

  /**
   * Attestations left RUNNING by {@code instance} (a previous run of it, killed) or under a lapsed
   * lease, each with its challenge id if one was issued: for {@link #finish} as INTERRUPTED, or
   * as the archive says.
   */
  List<AttestationRow> orphaned(String instance, Instant now);

  /**
   * Every provider with its latest state, active ones first, by name. Answered from memory
   * without a query: this instance's writes are in it as soon as they return, other instances'
   * within a few seconds ({@code JdbcStore.REFRESH}).
   */
  List<ProviderStatus> providers();

  Optional<ProviderStatus> provider(String name);

  /** A provider's attestations, newest first: {@code limit} of them from {@code offset}. */
  List<AttestationRow> history(String provider, int offset, int limit);

  Optional<AttestationRow> attestation(String id);

  /**
   * Indexes one archived exchange (reindex): adds it when its challenge is not indexed, else
   * sets its row's outcome to the archive's.
   *
   * @return true when a row was added or changed
   */
  boolean index(AttestationRow fromArchive);

  /**
   * The rate per GPU of every passing attestation that has one, finished at or after {@code
   * since}, oldest first: for the flags and the status page's plots.
   */
  List<Rate> passingRates(Instant since);

  /**
   * The medians the list flags by ({@link RateMedians}), over the passing rates finished at or
   * after {@code since}. Kept as results come and go, for the rates held ({@link
   * #passingRates}): asking again costs nothing while nothing changed, and the cost of a change
   * does not grow with the history.
   */
  RateMedians medians(Instant since);

  /**
   * One passing attestation's rate.
   *
   * @param memoryTBps its memory phase's rate; null without one
   */
  record Rate(String provider, String model, String backend, double tflopsPerGpu,
      Instant finishedAt, Double memoryTBps) {
    /** A rate without a memory phase. */
    public Rate(String provider, String model, String backend, double tflopsPerGpu,
        Instant finishedAt) {
      this(provider, model, backend, tflopsPerGpu, finishedAt, null);
    }
  }

  /** Count of attestations with each state, for health and tests. */
  long count(State state);

  /**
   * @throws StoreException the database cannot be written now (health)
   */
  void checkWritable();

  @Override
  void close();
}
