package org.gpuattest.service.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.archive.ArchiveTrust;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.EvidenceArchive;
import org.gpuattest.validator.fleet.ArchiveReader;
import org.gpuattest.validator.fleet.FleetEntry;

/**
 * The index rebuilt from the evidence archive, the record of every exchange (docs/service.md,
 * "State"): {@code validator serve --reindex} indexes every exchange the archive holds, and a
 * start after a crash finds the exchange an interrupted attestation archived before the crash.
 * Only exchanges the fleet report would count are indexed: complete, and signed by a trusted
 * validator key with nothing altered ({@link ArchiveReader}).
 */
public final class ArchiveIndex {
  private final EvidenceArchive archive;
  private final ArchiveTrust trust;

  public ArchiveIndex(EvidenceArchive archive, ArchiveTrust trust) {
    this.archive = archive;
    this.trust = trust;
  }

  /** What a reindex did. */
  public record Reindexed(int indexed, int unchanged, int skipped) {}

  /**
   * Indexes every exchange in the archive.
   *
   * @throws BadMessageException the archive folder does not exist
   * @throws IOException it cannot be listed
   */
  public Reindexed reindex(Store store) throws BadMessageException, IOException {
    ArchiveReader.Scan scan = ArchiveReader.scan(archive.root(), null, trust);
    int indexed = 0;
    int unchanged = 0;
    int skipped = scan.skippedCount();
    for (FleetEntry e : scan.entries()) {
      Optional<AttestationRow> row = row(folder(e), e);
      if (row.isEmpty()) {
        skipped++;
      } else if (store.index(row.get())) {
        indexed++;
      } else {
        unchanged++;
      }
    }
    return new Reindexed(indexed, unchanged, skipped);
  }

  /** The archived exchange of {@code challengeId}, where the archive holds a trusted one. */
  public Optional<AttestationRow> find(String challengeId) {
    try (DirectoryStream<Path> days = Files.newDirectoryStream(archive.root())) {
      for (Path day : days) {
        Path dir = day.resolve(challengeId);
        if (EvidenceArchive.DATE_FOLDER.matcher(day.getFileName().toString()).matches()
            && Files.isDirectory(dir)) {
          FleetEntry e = ArchiveReader.read(dir, trust);
          return row(dir, e);
        }
      }
    } catch (IOException | BadMessageException | RuntimeException e) {
      // Unreadable, incomplete or untrusted: not indexed; reindex names why.
    }
    return Optional.empty();
  }

  private Path folder(FleetEntry e) {
    return archive.root().resolve(e.verifiedAt().atZone(java.time.ZoneOffset.UTC)
        .toLocalDate().toString()).resolve(e.challengeId());
  }

  /** The index's row of one archived exchange; its id is its challenge's. */
  private static Optional<AttestationRow> row(Path dir, FleetEntry e) {
    try {
      ArchivedExchange x = ArchivedExchange.read(dir);
      Verdict v = x.verdict();
      Attestation a = v.attestation();
      String failed = v.checks().stream().filter(Check::failed).map(Check::name)
          .collect(Collectors.joining(","));
      String proverFailure = x.record().proverFailure() == null ? null
          : x.record().proverFailure().check();
      String model = e.model();
      int gpus = a != null ? a.devices() : x.session().decodedChallenge().value().devices();
      Instant at = Instant.parse(x.record().verifiedAt());
      String provider = e.providerLabel() != null ? e.providerLabel()
          : e.proverKeyId() != null ? "key " + e.proverKeyId() : FleetEntry.UNKNOWN;
      return Optional.of(new AttestationRow(e.challengeId(), provider,
          v.passed() ? Store.State.PASSED : Store.State.FAILED, null, null, at, at,
          e.challengeId().toLowerCase(Locale.ROOT), model, gpus, verdictLine(v),
          failed.isEmpty() ? null : failed, proverFailure, e.backend(), e.tflopsPerGpu(),
          a == null || a.timing() == null ? null : a.timing().elapsedSeconds(),
          dir.toString(), e.memoryTBps()));
    } catch (IOException | BadMessageException | RuntimeException ex) {
      return Optional.empty();
    }
  }

  public static String verdictLine(Verdict v) {
    long passed = v.checks().stream().filter(c -> Check.PASS.equals(c.status())).count();
    long failed = v.checks().stream().filter(Check::failed).count();
    return String.format(Locale.ROOT, "verdict: %s (challenge %s; %d passed, %d failed,"
        + " %d skipped)", v.passed() ? "PASS" : "FAIL", v.challengeId(), passed, failed,
        v.checks().size() - passed - failed);
  }
}
