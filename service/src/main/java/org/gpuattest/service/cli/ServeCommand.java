package org.gpuattest.service.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.Limits;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.util.InputFiles;
import org.gpuattest.service.Service;
import org.gpuattest.service.fleet.FleetFile;
import org.gpuattest.service.http.BearerToken;
import org.gpuattest.service.store.ArchiveIndex;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.StoreException;
import org.gpuattest.service.store.Stores;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.Workers;
import org.gpuattest.validator.archive.EvidenceArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
    versionProvider = ServiceMain.Version.class,
    description = {
        "Attest a fleet of provers on a schedule and serve their state.",
        "Keeps the results in a database (SQLite, or PostgreSQL shared between hosts)",
        "and serves an HTTP API, Prometheus metrics and a status page (docs/service.md).",
        "The fleet file is checked whole first (every bad entry on its own line, exit",
        "2); SIGHUP, or POST /api/v1/reload, reads it again and keeps the running fleet",
        "if the new one is bad. SIGTERM or SIGINT stops it: no new attestation, running",
        "ones finish or are stopped at --stop-timeout and recorded as interrupted; exit",
        "0. Every exchange is kept in the evidence archive first; the database is its",
        "index (--reindex rebuilds it)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped by SIGTERM or SIGINT, or --check / --reindex done",
        "2:bad usage or bad input: the fleet file (one line per bad entry), an option",
        "3:a fault on the validator's side: the database, the archive, the port"})
final class ServeCommand implements Callable<Integer> {
  static final int DEFAULT_PORT = 8740;

  @Spec CommandSpec spec;

  @Option(names = "--fleet", required = true, paramLabel = "FILE",
      description = "The providers to attest (JSON, testdata/schemas/fleet-file.schema.json;"
          + " docs/service.md, 'The fleet file').")
  Path fleet;

  @Option(names = "--db", paramLabel = "URL",
      description = "The database: jdbc:sqlite:FILE, or jdbc:postgresql://HOST:PORT/DB?user=U"
          + " to share the fleet between validator hosts (default: an SQLite file,"
          + " $GPU_ATTEST_HOME/validator/" + Stores.DEFAULT_FILE + ", else under"
          + " $HOME/.gpu-attest).")
  String db;

  @Option(names = "--db-password-file", paramLabel = "FILE",
      description = "The PostgreSQL password, the file's first line (never on the command"
          + " line).")
  Path dbPasswordFile;

  @Option(names = "--listen", paramLabel = "HOST:PORT",
      description = "Where the HTTP API, metrics and status page are served (default:"
          + " 127.0.0.1:" + DEFAULT_PORT + "; port 0 picks a free one). An address other than"
          + " loopback needs --token-file.")
  String listen;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "A bearer token (the file's first line, at least 20 characters) every"
          + " HTTP request must carry: 'Authorization: Bearer TOKEN'.")
  Path tokenFile;

  @Option(names = "--archive", paramLabel = "DIR",
      description = "The evidence archive (default: $GPU_ATTEST_HOME/validator/archive, else"
          + " $HOME/.gpu-attest/validator/archive).")
  Path archive;

  @Option(names = "--replay-dir", paramLabel = "DIR",
      description = "Store of used challenge ids (default: $GPU_ATTEST_HOME/validator/"
          + "used-challenges); the archive key is kept beside it.")
  Path replayDir;

  @Option(names = "--signing-key", paramLabel = "FILE",
      description = "This validator's Ed25519 private key: signs every challenge (so provers"
          + " can trust only it) and every archived exchange (default: unsigned challenges,"
          + " exchanges signed by the archive key).")
  Path signingKey;

  @Option(names = "--profiles", paramLabel = "FILE",
      description = "GPU profiles laid over the bundled table (docs/protocol.md section 8.6).")
  Path profiles;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Attestations at once on this host (default: processors - 1, at least 1),"
          + " so verification never starves.")
  Integer concurrency;

  @Option(names = "--instance", paramLabel = "NAME",
      description = "This host's name in the database's leases (default: the host name).")
  String instance;

  @Option(names = "--lease-seconds", paramLabel = "S", defaultValue = "60",
      description = "A claim on a provider lapses after S seconds without renewal, so the"
          + " providers of a host that died are attested by the others (default:"
          + " ${DEFAULT-VALUE}).")
  long leaseSeconds;

  @Option(names = "--retry-seconds", paramLabel = "S", defaultValue = "60",
      description = "After a failure the provider is attested again after S seconds, doubled"
          + " with each failure in a row, at most its interval (default: ${DEFAULT-VALUE}).")
  long retrySeconds;

  @Option(names = "--stop-timeout", paramLabel = "S", defaultValue = "30",
      description = "On SIGTERM, how long running attestations may take to finish before"
          + " their provers are stopped (default: ${DEFAULT-VALUE}).")
  long stopSeconds;

  @Option(names = "--check", description = "Check the fleet file and exit.")
  boolean check;

  @Option(names = "--reindex",
      description = "Rebuild the database's index from the evidence archive, then exit."
          + " Exchanges that waited for the archive in the spool beside the replay store are"
          + " moved into it first.")
  boolean reindex;

  @Option(names = "--debug", description = "Print stack traces on errors.")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    SecureRandom random = nonBlockingRandom();
    Clock clock = Clock.systemUTC();
    GpuProfiles table = profiles == null ? GpuProfiles.bundled()
        : GpuProfiles.bundled().withOverrides(profiles);
    if (check) {
      int n = new FleetFile(table, random, clock).read(fleet).providers().size();
      spec.commandLine().getOut().println(fleet + ": " + n + " providers, every entry good");
      return ExitCodes.OK;
    }
    Service.Config config = config(table);
    if (reindex) {
      return reindex(config, random, err);
    }
    CountDownLatch stop = new CountDownLatch(1);
    Service service = Service.start(config, clock, random, err);
    Signals.onReload(service::reload);
    Signals.onStop(stop::countDown);
    stop.await();
    err.println("validator serve: stopping: no new attestations; waiting up to " + stopSeconds
        + " s for the running ones");
    err.flush();
    service.close();
    err.println("validator serve: stopped");
    err.flush();
    return ExitCodes.OK;
  }

  private int reindex(Service.Config config, SecureRandom random, PrintWriter err)
      throws Exception {
    Service.Prepared prepared = Service.prepare(config, random);
    ArchiveIndex index = prepared.index();
    // Exchanges that waited for the archive (ArchiveSpool) are indexed from it, as the rest.
    int moved = prepared.spool().flush().size();
    int waiting = prepared.spool().waiting();
    if (moved > 0 || waiting > 0) {
      err.println("validator serve: " + moved + " exchanges moved from "
          + prepared.spool().folder() + " into the archive" + (waiting == 0 ? ""
              : "; " + waiting + " still wait there (the archive cannot take them)"));
      err.flush();
    }
    try (Store store = Service.open(config)) {
      ArchiveIndex.Reindexed r = index.reindex(store);
      spec.commandLine().getOut().printf("indexed %d exchanges from %s (%d already indexed,"
          + " %d skipped)%n", r.indexed(), config.archive().root(), r.unchanged(), r.skipped());
      return ExitCodes.OK;
    } catch (StoreException e) {
      throw new org.gpuattest.common.RuntimeFailureException("--db: " + e.getMessage());
    }
  }

  Service.Config config(GpuProfiles table) throws BadMessageException {
    int cores = Runtime.getRuntime().availableProcessors();
    int n = concurrency != null ? Limits.range("--concurrency", concurrency, 1, 1024)
        : Math.max(1, cores - 1);
    Limits.range("--lease-seconds", leaseSeconds, 5, 86_400);
    Limits.range("--retry-seconds", retrySeconds, 1, 86_400);
    Limits.range("--stop-timeout", stopSeconds, 0, 86_400);
    String password = dbPasswordFile == null ? null
        : InputFiles.readText("--db-password-file", dbPasswordFile, 4096, "a password file")
            .lines().findFirst().orElse("").strip();
    BearerToken token = tokenFile == null ? null : BearerToken.read("--token-file", tokenFile);
    Ed25519PrivateKey key = signingKey == null ? null
        : Ed25519PrivateKey.fromFile("--signing-key", signingKey);
    return new Service.Config(fleet, db == null ? Stores.defaultUrl() : db, password,
        address(listen == null ? "127.0.0.1:" + DEFAULT_PORT : listen), token,
        archive == null ? EvidenceArchive.defaultArchive() : new EvidenceArchive(archive),
        replayDir == null ? ReplayStore.defaultStore() : new ReplayStore(replayDir), key, table,
        instance == null ? hostName() : instance, n, Math.min(cores, Workers.MAX_THREADS),
        Duration.ofSeconds(leaseSeconds), Duration.ofSeconds(retrySeconds),
        Duration.ofSeconds(1), Duration.ofSeconds(stopSeconds));
  }

  static InetSocketAddress address(String hostPort) throws BadMessageException {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new BadMessageException("--listen: HOST:PORT, for example 127.0.0.1:"
          + DEFAULT_PORT);
    }
    String host = hostPort.substring(0, colon).replaceAll("^\\[|\\]$", "");
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new BadMessageException("--listen: the port is not a number");
    }
    Limits.range("--listen", port, 0, 65_535);
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new BadMessageException("--listen: unknown host " + host);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private static SecureRandom nonBlockingRandom() {
    try {
      return SecureRandom.getInstance("NativePRNGNonBlocking");
    } catch (java.security.NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
