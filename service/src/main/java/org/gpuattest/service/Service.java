package org.gpuattest.service;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.service.fleet.Fleet;
import org.gpuattest.service.fleet.FleetFile;
import org.gpuattest.service.fleet.Provider;
import org.gpuattest.service.http.ApiServer;
import org.gpuattest.service.http.BearerToken;
import org.gpuattest.service.http.Control;
import org.gpuattest.service.metrics.ServiceMetrics;
import org.gpuattest.service.run.ArchiveSpool;
import org.gpuattest.service.run.AttestationRunner;
import org.gpuattest.service.schedule.Schedule;
import org.gpuattest.service.schedule.Scheduler;
import org.gpuattest.service.store.ArchiveIndex;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.StoreException;
import org.gpuattest.service.store.Stores;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.archive.ArchiveKey;
import org.gpuattest.validator.archive.ArchiveTrust;
import org.gpuattest.validator.archive.EvidenceArchive;

/**
 * 'validator serve' wired in one place (docs/service.md): the fleet file, the store, the
 * runner, the scheduler, the metrics and the HTTP server, each behind its own small interface.
 * Everything on the validator's side (the fleet file, the database, the archive, the keys, the
 * port) is checked before any prover is asked for work.
 */
public final class Service implements Control, AutoCloseable {
  /**
   * What 'validator serve' was told.
   *
   * @param listen where the API listens; null for no HTTP server
   * @param token required there unless it is loopback; null for none
   * @param signingKey signs challenges and the archived exchanges; null for unsigned challenges
   *     and the archive key beside the replay store
   * @param threads how many devices one verification recomputes at once
   */
  public record Config(Path fleetFile, String dbUrl, String dbPassword, InetSocketAddress listen,
      BearerToken token, EvidenceArchive archive, ReplayStore replay,
      Ed25519PrivateKey signingKey, GpuProfiles profiles, String instance, int concurrency,
      int threads, Duration lease, Duration retry, Duration tick, Duration stopDeadline) {
    public Config {
      Objects.requireNonNull(fleetFile, "fleetFile");
      Objects.requireNonNull(dbUrl, "dbUrl");
      Objects.requireNonNull(archive, "archive");
      Objects.requireNonNull(replay, "replay");
      Objects.requireNonNull(profiles, "profiles");
      Objects.requireNonNull(instance, "instance");
    }
  }

  private final Config config;
  private final FleetFile fleetFile;
  private final AtomicReference<Fleet> fleet;
  private final Store store;
  private final Schedule schedule;
  private final Scheduler scheduler;
  private final ServiceMetrics metrics = new ServiceMetrics();
  private final Clock clock;
  private final PrintWriter log;
  private ApiServer http;
  private final ArchiveSpool spool;
  private final ArchiveIndex archived;
  /** Moves what waits in the spool into the archive, every {@link #SPOOL_TICKS} ticks. */
  private final ScheduledExecutorService spooler = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "archive-spool");
        t.setDaemon(true);
        return t;
      });
  static final int SPOOL_TICKS = 10;

  private Service(Config config, FleetFile fleetFile, Fleet fleet, Store store,
      AttestationRunner runner, Prepared prepared, Clock clock, PrintWriter log) {
    ArchiveIndex archived = prepared.index();
    this.spool = prepared.spool();
    this.archived = archived;
    this.config = config;
    this.fleetFile = fleetFile;
    this.fleet = new AtomicReference<>(fleet);
    this.store = store;
    this.clock = clock;
    this.log = log;
    this.schedule = new Schedule(config.retry(), new SplittableRandom());
    this.scheduler = new Scheduler(store, runner, this.fleet::get, schedule, metrics, archived,
        new Scheduler.Settings(config.instance(), config.concurrency(), config.lease(),
            config.tick()), clock, log);
  }

  /**
   * Checks everything, then starts attesting and serving.
   *
   * @throws BadMessageException the fleet file has bad entries (each one of its problems)
   * @throws RuntimeFailureException the database, the archive, the replay store or the archive
   *     key cannot be used, or the port cannot be bound
   */
  public static Service start(Config config, Clock clock, SecureRandom random, PrintWriter log)
      throws BadMessageException, RuntimeFailureException {
    FleetFile file = new FleetFile(config.profiles(), random, clock);
    Fleet fleet = file.read(config.fleetFile());
    Prepared p = prepare(config, random);
    Store store = open(config);
    AttestationRunner runner = new AttestationRunner(new AttestationRunner.Settings(
        config.profiles(), config.replay(), config.archive(), p.spool(), p.archiveKey(),
        config.signingKey(), config.threads(), clock, random, log));
    Service s = new Service(config, file, fleet, store, runner, p, clock, log);
    try {
      store.syncFleet(specs(fleet), clock.instant(), s::firstDue);
      // What waited for the archive goes there first, so the recovery below finds it.
      s.flushSpool();
      // The port first: a service that cannot serve stops before any prover is asked.
      if (config.listen() != null) {
        s.http = serve(config, store, s, clock);
      }
      int recovered = s.scheduler.start();
      long every = Math.max(1, config.tick().toMillis() * SPOOL_TICKS);
      s.spooler.scheduleWithFixedDelay(s::flushSpool, every, every, TimeUnit.MILLISECONDS);
      s.say(fleet.providers().size() + " providers from " + config.fleetFile() + "; database "
          + redact(config.dbUrl()) + "; archive " + config.archive().root() + "; instance "
          + config.instance() + ", up to " + config.concurrency() + " at once"
          + (recovered > 0 ? "; " + recovered + " interrupted attestations recorded" : ""));
      if (s.http != null) {
        s.say("listening on http://" + config.listen().getHostString() + ":" + s.http.port()
            + "/ (status page; API under /api/v1, metrics at /metrics)");
      }
      return s;
    } catch (StoreException e) {
      s.close();
      throw new RuntimeFailureException(e.getMessage());
    } catch (BadMessageException | RuntimeFailureException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Starts the HTTP server.
   *
   * @throws BadMessageException a non-loopback address without a token
   * @throws RuntimeFailureException the port cannot be bound
   */
  private static ApiServer serve(Config config, Store store, Service s, Clock clock)
      throws BadMessageException, RuntimeFailureException {
    try {
      return ApiServer.start(config.listen(), config.token(), store, s, s.metrics, clock);
    } catch (IllegalArgumentException e) {
      throw new BadMessageException(e.getMessage());
    } catch (Exception e) {
      throw new RuntimeFailureException("--listen: cannot serve on "
          + config.listen().getHostString() + ":" + config.listen().getPort() + ": "
          + e.getMessage());
    }
  }

  /** The archive's key, the index that trusts it, and the spool beside the replay store. */
  public record Prepared(Ed25519PrivateKey archiveKey, ArchiveIndex index, ArchiveSpool spool) {}

  /**
   * Checks the replay store and the archive, and reads or creates the archive key.
   *
   * @throws RuntimeFailureException one of them cannot be used
   */
  public static Prepared prepare(Config config, SecureRandom random) throws RuntimeFailureException {
    try {
      config.replay().checkUsable();
    } catch (IOException e) {
      throw new RuntimeFailureException("--replay-dir: " + e.getMessage());
    }
    try {
      config.archive().checkUsable();
    } catch (IOException e) {
      throw new RuntimeFailureException("--archive: " + e.getMessage());
    }
    Ed25519PrivateKey key = config.signingKey();
    Path whence = null;
    if (key == null) {
      try {
        ArchiveKey.Loaded k = ArchiveKey.loadOrCreate(
            ArchiveKey.besideReplayStore(config.replay().dir()), random);
        key = k.key();
        whence = k.file();
      } catch (IOException e) {
        throw new RuntimeFailureException("--archive: " + e.getMessage());
      }
    }
    ArchiveTrust trust = new ArchiveTrust(List.of(key.publicKey()), false,
        whence == null ? "--signing-key" : whence.toString());
    return new Prepared(key, new ArchiveIndex(config.archive(), trust), new ArchiveSpool(
        config.archive(), ArchiveSpool.besideReplayStore(config.replay().dir()), key));
  }

  /**
   * Opens the database (migrating it).
   *
   * @throws RuntimeFailureException it cannot be opened
   */
  public static Store open(Config config) throws RuntimeFailureException {
    try {
      return Stores.open(config.dbUrl(), config.dbPassword());
    } catch (StoreException e) {
      throw new RuntimeFailureException("--db: " + e.getMessage());
    }
  }

  private java.time.Instant firstDue(String provider, java.time.Instant now) {
    Duration interval = fleet.get().find(provider).map(Provider::interval)
        .orElse(Duration.ofHours(1));
    return schedule.first(interval, now);
  }

  private static List<Store.ProviderSpec> specs(Fleet fleet) {
    return fleet.providers().stream().map(p -> new Store.ProviderSpec(p.name(),
        p.challenge().model(), p.challenge().gpus(), p.interval())).toList();
  }

  @Override
  public Optional<String> attestNow(String provider) {
    if (fleet.get().find(provider).isEmpty()) {
      return Optional.empty();
    }
    Optional<String> id = store.requestNow(provider, clock.instant());
    scheduler.wake();
    return id;
  }

  @Override
  public synchronized List<String> reload() {
    Fleet next;
    try {
      next = fleetFile.read(config.fleetFile());
    } catch (BadMessageException e) {
      e.problems().forEach(line -> say("reload refused: " + line));
      say("reload refused: the running fleet of " + fleet.get().providers().size()
          + " providers is kept");
      return e.problems();
    }
    store.syncFleet(specs(next), clock.instant(), this::firstDue);
    fleet.set(next);
    scheduler.wake();
    say("reloaded " + config.fleetFile() + ": " + next.providers().size() + " providers");
    return List.of();
  }

  @Override
  public int fleetSize() {
    return fleet.get().providers().size();
  }

  @Override
  public Health health() {
    String db = null;
    String archive = null;
    try {
      store.checkWritable();
    } catch (StoreException e) {
      db = e.getMessage();
    }
    try {
      config.archive().checkUsable();
    } catch (IOException e) {
      archive = e.getMessage();
    }
    return new Health(db, archive);
  }

  /** The running fleet. */
  public Fleet fleet() {
    return fleet.get();
  }

  public Store store() {
    return store;
  }

  public ServiceMetrics metrics() {
    return metrics;
  }

  /** The HTTP port, or -1 without a server. */
  public int port() {
    return http == null ? -1 : http.port();
  }

  /**
   * Stops: no new attestation; the running ones finish or, at the deadline, are stopped with
   * their provers' process trees and recorded as interrupted; then the HTTP server and the
   * store close.
   */
  /**
   * Moves the exchanges that waited for the archive into it and indexes each as a reindex
   * would (its row then names its folder); where the database cannot be written, a reindex
   * finds them in the archive later.
   */
  void flushSpool() {
    try {
      for (String challengeId : spool.flush()) {
        Optional<AttestationRow> row = archived.find(challengeId);
        if (row.isEmpty()) {
          say("challenge " + challengeId + " was moved from the spool into the archive but"
              + " cannot be read back there; 'validator serve --reindex' names why");
          continue;
        }
        try {
          store.index(row.get());
          say("[" + row.get().provider() + "] challenge " + challengeId + " waited in the"
              + " spool; now archived at " + row.get().archivePath() + " and indexed");
        } catch (StoreException e) {
          say("[" + row.get().provider() + "] challenge " + challengeId + " is archived at "
              + row.get().archivePath() + " but cannot be indexed (" + e.getMessage()
              + "); 'validator serve --reindex' indexes it");
        }
      }
    } catch (RuntimeException e) {
      say("internal error moving the spool into the archive: " + e);
    }
  }

  @Override
  public void close() {
    spooler.shutdownNow();
    int stopped = scheduler.stop(config.stopDeadline());
    if (stopped > 0) {
      say(stopped + " attestations were stopped at the deadline and recorded as interrupted");
    }
    if (http != null) {
      try {
        http.close();
      } catch (Exception e) {
        say("the HTTP server did not stop cleanly: " + e.getMessage());
      }
    }
    // What ended while the archive was unwritable goes there now, if it can.
    flushSpool();
    store.close();
  }

  private void say(String line) {
    synchronized (log) {
      log.println("validator serve: " + line);
      log.flush();
    }
  }

  private static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }
}
