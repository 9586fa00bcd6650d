package org.gpuattest.validator.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.util.Pruning;

/**
 * Removes archived exchanges older than a number of days (docs/protocol.md section 8.5): an
 * exchange's age is its record's verifiedAt, or, where record.json cannot be read, the end of
 * its date folder's day. Only {@code <YYYY-MM-DD>/<32 hex>} folders holding nothing but the
 * archive's files (the four and signature.json) are removed, with the temporary folders a
 * crash left; date folders are removed once empty. Anything else is left alone and reported.
 */
public final class ArchivePruner {
  static final Set<String> FILES = Set.of(ArchivedExchange.RECORD, ArchivedExchange.SESSION,
      ArchivedExchange.OPENINGS, ArchivedExchange.VERDICT, ArchivedExchange.SIGNATURE);
  /**
   * An exchange is built under a temporary name for milliseconds; one that is a day old was
   * left by a crash, whatever {@code days} says.
   */
  static final Duration PARTIAL_AGE = Duration.ofDays(1);

  private ArchivePruner() {}

  public static Pruning.Tally prune(Path root, Instant now, int days, boolean dryRun)
      throws IOException {
    Pruning.Tally t = new Pruning.Tally("evidence archive", root, "exchanges", dryRun);
    Instant cutoff = Pruning.cutoff(now, days);
    for (Path day : Pruning.entries(t, root)) {
      LocalDate date = date(day);
      if (date == null) {
        t.ignored(day, "not a date folder of the archive");
        continue;
      }
      List<Path> exchanges;
      try {
        exchanges = Pruning.list(day);
      } catch (IOException e) {
        t.ignored(day, Pruning.unreadable(e));
        continue;
      }
      for (Path x : exchanges) {
        try {
          pruneOne(t, x, date, cutoff, now, dryRun);
        } catch (IOException e) {
          // One exchange the validator cannot read (or remove) is named and left alone; the
          // others are still pruned, and a dry run still lists what it would do.
          t.ignored(x, Pruning.unreadable(e));
        }
      }
      if (!dryRun && Pruning.list(day).isEmpty()) {
        Files.delete(day);
      }
    }
    return t;
  }

  private static void pruneOne(Pruning.Tally t, Path x, LocalDate date, Instant cutoff,
      Instant now, boolean dryRun) throws IOException {
    String name = x.getFileName().toString();
    boolean partial = name.startsWith(EvidenceArchive.PARTIAL_PREFIX);
    if (!Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS)
        || !(partial || EvidenceArchive.EXCHANGE_FOLDER.matcher(name).matches())) {
      t.ignored(x, "not an exchange folder");
      return;
    }
    Pruning.list(x); // a folder that cannot be read is named, young or old, not counted
    Instant at = partial ? Pruning.modified(x) : verifiedAt(x, date);
    boolean old = at.isBefore(cutoff) && (!partial || at.isBefore(now.minus(PARTIAL_AGE)));
    if (!old) {
      t.kept();
      return;
    }
    OptionalLong bytes = Pruning.removeFolder(x, FILES, dryRun);
    if (bytes.isEmpty()) {
      t.ignored(x, "holds files the archive does not write");
    } else {
      t.removed(bytes.getAsLong());
    }
  }

  /** The record's verifiedAt; else the end of the folder's day, so it is never taken early. */
  static Instant verifiedAt(Path exchange, LocalDate date) {
    try {
      return ArchivedExchange.readRecord(exchange).verified();
    } catch (BadMessageException | IOException e) {
      return date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
  }

  private static LocalDate date(Path day) {
    String name = day.getFileName().toString();
    if (!Files.isDirectory(day, LinkOption.NOFOLLOW_LINKS)
        || !EvidenceArchive.DATE_FOLDER.matcher(name).matches()) {
      return null;
    }
    try {
      return LocalDate.parse(name);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

}
