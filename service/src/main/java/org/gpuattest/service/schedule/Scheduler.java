package org.gpuattest.service.schedule;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.gpuattest.service.fleet.Fleet;
import org.gpuattest.service.fleet.Provider;
import org.gpuattest.service.metrics.ServiceMetrics;
import org.gpuattest.service.run.AttestationRunner;
import org.gpuattest.service.run.Outcome;
import org.gpuattest.service.run.Running;
import org.gpuattest.service.store.ArchiveIndex;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Result;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.StoreException;

/**
 * Runs the fleet's attestations (docs/service.md, "Scheduling"): one loop claims due providers
 * from the store, each under a lease this instance renews while it runs, and hands them to a pool
 * of {@code concurrency} threads, so at most that many run at once and a provider runs once at a
 * time, here and on every instance sharing the database. {@link #stop} starts no new one, lets
 * the running ones finish until a deadline, then stops their provers and records them as
 * interrupted on the validator's side.
 */
public final class Scheduler {
  /**
   * @param instance this instance's name in leases (the host's name by default)
   * @param concurrency attestations at once on this instance
   * @param lease how long a claim holds without renewal: a dead instance's providers are free
   *     again after it
   * @param tick how often the loop looks for due providers
   */
  public record Settings(String instance, int concurrency, Duration lease, Duration tick) {}

  private final Store store;
  private final AttestationRunner runner;
  private final Supplier<Fleet> fleet;
  private final Schedule schedule;
  private final ServiceMetrics metrics;
  private final ArchiveIndex archived;
  private final Settings settings;
  private final Clock clock;
  private final PrintWriter log;
  private final ExecutorService pool;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Object wake = new Object();
  private volatile boolean stopping;
  private final AtomicReference<Thread> loop = new AtomicReference<>();

  public Scheduler(Store store, AttestationRunner runner, Supplier<Fleet> fleet,
      Schedule schedule, ServiceMetrics metrics, ArchiveIndex archived, Settings settings,
      Clock clock, PrintWriter log) {
    this.store = store;
    this.runner = runner;
    this.fleet = fleet;
    this.schedule = schedule;
    this.metrics = metrics;
    this.archived = archived;
    this.settings = settings;
    this.clock = clock;
    this.log = log;
    this.pool = Executors.newFixedThreadPool(settings.concurrency(), r -> {
      Thread t = new Thread(r, "attestation");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Records what a previous run of this instance left running (killed) or what an instance
   * whose lease lapsed left: as the archive has it where the exchange was archived before the
   * end, else as interrupted on the validator's side. Then starts the loop.
   *
   * @return how many attestations were recovered
   */
  public int start() {
    int recovered = recover();
    Thread t = new Thread(this::loop, "scheduler");
    t.setDaemon(true);
    loop.set(t);
    t.start();
    return recovered;
  }

  private int recover() {
    Instant now = clock.instant();
    List<AttestationRow> orphans = store.orphaned(settings.instance(), now);
    for (AttestationRow a : orphans) {
      Optional<AttestationRow> kept = a.challengeId() == null ? Optional.empty()
          : archived.find(a.challengeId());
      if (kept.isPresent()) {
        store.index(kept.get());
        say("[" + a.provider() + "] attestation " + a.id() + " was archived before this"
            + " instance stopped; indexed from " + kept.get().archivePath());
      } else {
        store.finish(a.id(), Result.interrupted(now, a.challengeId(), "interrupted: the"
            + " validator stopped during this attestation (not the prover's failure)"), now, 0);
        say("[" + a.provider() + "] attestation " + a.id() + " was interrupted when the"
            + " validator stopped; recorded as interrupted, not as the prover's failure");
      }
    }
    return orphans.size();
  }

  /** Wakes the loop: a provider was asked for now, or the fleet changed. */
  public void wake() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private void loop() {
    long lastRenew = System.nanoTime();
    while (!stopping) {
      try {
        claimWhileFree();
        if (System.nanoTime() - lastRenew > settings.lease().toNanos() / 3) {
          renewLeases();
          lastRenew = System.nanoTime();
        }
        metrics.queueDepth(store.countDue(clock.instant()));
        metrics.running(running.size());
        lastProblem = null;
      } catch (StoreException e) {
        sayOnce("the database failed (" + e.getMessage() + "); trying again");
      } catch (RuntimeException e) {
        sayOnce("internal error in the scheduler: " + e);
      }
      synchronized (wake) {
        if (stopping) {
          break;
        }
        try {
          wake.wait(Math.max(1, settings.tick().toMillis()));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void claimWhileFree() {
    while (!stopping && running.size() < settings.concurrency()) {
      Instant now = clock.instant();
      Optional<Store.Claim> claim = store.claimDue(settings.instance(), now,
          settings.lease(), new ArrayList<>(running.keySet()));
      if (claim.isEmpty()) {
        return;
      }
      Store.Claim c = claim.get();
      Optional<Provider> p = fleet.get().find(c.provider());
      if (p.isEmpty()) { // left the fleet between the reload and this claim
        store.finish(c.attestationId(), Result.interrupted(now, null, "the provider left the"
            + " fleet before it started"), now.plus(Duration.ofDays(1)), c.failuresInARow());
        continue;
      }
      Running handle = new Running();
      running.put(c.provider(), handle);
      pool.execute(() -> attest(p.get(), c, handle));
    }
  }

  private void attest(Provider p, Store.Claim c, Running handle) {
    try {
      Outcome o = runner.run(p, challengeId -> store.challengeIssued(c.attestationId(),
          challengeId, clock.instant()), handle);
      Store.State state = o.result().state();
      int failures = state == Store.State.PASSED ? 0
          : state == Store.State.INTERRUPTED ? c.failuresInARow() : c.failuresInARow() + 1;
      Instant next = schedule.next(state, p.interval(), failures, clock.instant());
      record(c, o.result(), next, failures);
      metrics.ended(p, o);
    } catch (RuntimeException e) {
      say("[" + p.name() + "] internal error: " + e);
    } finally {
      running.remove(c.provider());
      wake();
    }
  }

  /**
   * Writes the index, trying again while the database is down: the exchange is in the archive
   * already, so a verdict is never lost, and reindex finds it if this never succeeds.
   */
  private void record(Store.Claim c, Result r, Instant next, int failures) {
    long wait = 500;
    for (int attempt = 1; ; attempt++) {
      try {
        store.finish(c.attestationId(), r, next, failures);
        return;
      } catch (StoreException e) {
        if (attempt == 1) {
          say("[" + c.provider() + "] cannot index attestation " + c.attestationId() + " yet ("
              + e.getMessage() + "); trying again");
        }
        if (attempt >= 6) {
          say("[" + c.provider() + "] cannot index attestation " + c.attestationId() + " ("
              + e.getMessage() + "); its exchange is in the archive"
              + (r.archivePath() == null ? "" : " at " + r.archivePath())
              + "; 'validator serve --reindex' indexes it");
          return;
        }
        try {
          Thread.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        wait *= 2;
      }
    }
  }

  private void renewLeases() {
    Instant until = clock.instant().plus(settings.lease());
    for (String provider : running.keySet()) {
      if (!store.renew(provider, settings.instance(), until)) {
        say("[" + provider + "] this instance's lease lapsed while it attested");
      }
    }
  }

  /** Attestations running now, by provider. */
  public int runningCount() {
    return running.size();
  }

  /**
   * Starts no new attestation; waits up to {@code deadline} for the running ones, then stops
   * their provers (recorded as interrupted, not the provers' failure) and waits for them to be
   * recorded.
   *
   * @return how many had to be stopped at the deadline
   */
  public int stop(Duration deadline) {
    stopping = true;
    wake();
    Thread t = loop.get();
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pool.shutdown();
    int stopped = 0;
    try {
      if (!pool.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        for (Running r : running.values()) {
          r.stop();
          stopped++;
        }
        // Each stopped prover's thread records its attestation as interrupted.
        pool.awaitTermination(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return stopped;
  }

  /** The loop's last problem, said once however many ticks it lasts; null while all is well. */
  private String lastProblem;

  private void sayOnce(String line) {
    if (!line.equals(lastProblem)) {
      say(line);
      lastProblem = line;
    }
  }

  private void say(String line) {
    synchronized (log) {
      log.println("validator serve: " + line);
      log.flush();
    }
  }
}
