package org.gpuattest.validator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.common.util.Printable;
import org.gpuattest.validator.fleet.ArchiveReader;
import org.gpuattest.validator.fleet.FleetReport;
import org.gpuattest.validator.fleet.FleetText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "fleet", description = {
    "Summarise an evidence archive per provider and claimed model.",
    "Counts attestations passed and failed, takes the median TFLOP/s per GPU of each",
    "provider's passing cuda attestations, and flags every provider whose median is",
    "more than 10%% below its model's median: the median over all passing cuda",
    "attestations of that model, whoever proved them. A provider is the --provider",
    "label the archive records, else the key that signed the commitment; labels and",
    "keys are never merged. Only complete exchanges signed by a trusted validator",
    "key (--validator-key) with no file altered count, each challenge once; the",
    "others are skipped, one warning line each on stderr. Exit 0 when the report is",
    "printed (1 with --fail-on-flagged when a provider is flagged)."},
    exitCodeList = {"0:the report is printed",
        "1:with --fail-on-flagged, the report is printed and a provider is flagged",
        ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class FleetCommand implements Callable<Integer> {
  /** Skipped entries named on stderr, at most; then one line says how many more. */
  static final int MAX_WARNINGS = 10;
  /** --days at most: ten years. */
  static final int MAX_DAYS = 3660;

  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;

  @Parameters(arity = "0..1", paramLabel = "DIR",
      description = "The evidence archive (default: $GPU_ATTEST_HOME/validator/archive,"
          + " else $HOME/.gpu-attest/validator/archive).")
  Path archive;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Mixin ArchiveTrustOptions trust;

  @Option(names = "--since", paramLabel = "DATE",
      description = "Count only attestations verified on or after DATE (YYYY-MM-DD, UTC).")
  String since;

  @Option(names = "--days", paramLabel = "N",
      description = "Count only attestations verified in the last N days.")
  Integer days;

  @Option(names = "--fail-on-flagged",
      description = "Exit 1 when any provider is flagged, for cron jobs and monitors.")
  boolean failOnFlagged;

  @Override
  public Integer call() throws Exception {
    Instant from = from();
    Path dir = archive != null ? archive
        : AtomicFiles.home().resolve("validator").resolve("archive");
    ArchiveReader.Scan scan = ArchiveReader.scan(dir, from, trust.trust());
    warn(scan, spec.commandLine().getErr());
    FleetReport report = FleetReport.of(dir.toString(), from, scan.entries(),
        scan.skippedCount());
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? Json.writeString(report) + "\n" : FleetText.format(report));
    out.flush();
    return failOnFlagged && report.flagged() > 0 ? ExitCodes.REJECTED : ExitCodes.OK;
  }

  /** The earliest verifiedAt counted, or null for all. */
  private Instant from() throws BadMessageException {
    if (since != null && days != null) {
      throw new BadMessageException("--since and --days: give one or the other");
    }
    if (days != null) {
      Limits.range("--days", days, 1, MAX_DAYS);
      // Whole seconds: a window of days needs no nanoseconds, and the report shows when it
      // starts (in JSON too, where the clock's nanoseconds would be noise).
      return parent.env.clock().instant().truncatedTo(ChronoUnit.SECONDS)
          .minus(Duration.ofDays(days));
    }
    if (since == null) {
      return null;
    }
    try {
      return LocalDate.parse(since).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new BadMessageException("--since: '" + Printable.escape(since)
          + "' is not a date YYYY-MM-DD");
    }
  }

  private static void warn(ArchiveReader.Scan scan, PrintWriter err) {
    int shown = Math.min(MAX_WARNINGS, scan.skipped().size());
    for (int i = 0; i < shown; i++) {
      ArchiveReader.Skipped s = scan.skipped().get(i);
      err.println("validator fleet: skipped " + Printable.escape(s.path().toString()) + ": "
          + Printable.escape(s.reason()));
    }
    if (scan.skippedCount() > shown) {
      err.println("validator fleet: " + (scan.skippedCount() - shown)
          + " more entries skipped");
    }
    err.flush();
  }
}
