package org.gpuattest.validator.fleet;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.ArchiveTrust;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.ArchivedFiles;
import org.gpuattest.validator.check.AttestationSummary;

/**
 * Reads an evidence archive (docs/operators.md, "The evidence archive: reverify and prune"; docs/protocol.md section 8.5):
 * {@code DIR/<YYYY-MM-DD>/<challengeId>/}. An exchange counts only when it is complete, as
 * 'validator reverify' reads it (record, session, verdict, and openings unless the prover
 * failed before it answered), consistent (every file names the folder's challenge), and
 * signed by a trusted validator with no file altered since ({@link ArchiveTrust}; unsigned
 * ones only with --allow-unsigned). It is attributed to the key that signed the session's
 * commitment, never to a key the verdict names alone. Each challenge counts once: a copy of an
 * exchange elsewhere in the archive is skipped, naming the copy counted. A folder is renamed
 * into place only once complete, so names starting with "." (one being written) are passed
 * over. Anything else is skipped and reported, never fatal: one damaged entry must not hide
 * the rest of the fleet. Each file is read up to a fixed size, and links are not followed.
 */
public final class ArchiveReader {
  /**
   * Exchanges one report holds, at most (a few hundred bytes each, with the path each was
   * found at, to count every challenge once): beyond it the operator narrows the period
   * rather than the validator running out of memory.
   */
  public static final int MAX_ENTRIES = 2_000_000;

  private static final Pattern DAY = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  private static final Pattern CHALLENGE_ID = Pattern.compile("[0-9a-f]{32}");

  private ArchiveReader() {}

  /** An entry that was not counted, and why, in one line. */
  public record Skipped(Path path, String reason) {}

  /**
   * What a scan found: the exchanges counted, and those skipped ({@code skippedCount} in all,
   * the first {@link #MAX_SKIPPED_LISTED} of them in {@code skipped}).
   */
  public record Scan(List<FleetEntry> entries, List<Skipped> skipped, int skippedCount) {
    public Scan {
      entries = List.copyOf(entries);
      skipped = List.copyOf(skipped);
    }
  }

  /** Skipped entries kept with their reasons; the rest are only counted. */
  public static final int MAX_SKIPPED_LISTED = 1000;

  /**
   * Every exchange in {@code archive} verified at or after {@code since} (all when null) that
   * {@code trust} accepts, each challenge once.
   *
   * @throws BadMessageException {@code archive} does not exist or is not a folder
   * @throws IOException the archive folder itself cannot be listed
   */
  public static Scan scan(Path archive, Instant since, ArchiveTrust trust)
      throws BadMessageException, IOException {
    if (!Files.isDirectory(archive)) {
      throw new BadMessageException(Files.exists(archive)
          ? "archive " + archive + " is not a folder" : "no archive folder " + archive);
    }
    LocalDate firstDay = since == null ? null : since.atOffset(ZoneOffset.UTC).toLocalDate();
    Map<String, Counted> counted = new LinkedHashMap<>();
    Skips skipped = new Skips();
    for (Path day : sorted(archive)) {
      String name = day.getFileName().toString();
      if (name.startsWith(".")) {
        continue;
      }
      LocalDate date = day(name);
      if (date == null || !Files.isDirectory(day, LinkOption.NOFOLLOW_LINKS)) {
        skipped.add(new Skipped(day, "not a YYYY-MM-DD folder of the archive"));
        continue;
      }
      if (firstDay != null && date.isBefore(firstDay)) {
        continue;
      }
      List<Path> exchanges;
      try {
        exchanges = sorted(day);
      } catch (IOException e) {
        skipped.add(new Skipped(day, "cannot list the folder: " + AtomicFiles.describe(e)));
        continue;
      }
      for (Path exchange : exchanges) {
        String id = exchange.getFileName().toString();
        if (id.startsWith(".")) {
          continue;
        }
        FleetEntry e;
        try {
          e = read(exchange, trust);
        } catch (BadMessageException ex) {
          skipped.add(new Skipped(exchange, ex.getMessage()));
          continue;
        } catch (IOException ex) {
          skipped.add(new Skipped(exchange, AtomicFiles.describe(ex)));
          continue;
        }
        if (since == null || !e.verifiedAt().isBefore(since)) {
          count(counted, new Counted(e, exchange, date.equals(utcDate(e.verifiedAt()))),
              skipped);
          if (counted.size() > MAX_ENTRIES) {
            throw new BadMessageException("archive " + archive + " holds more than "
                + MAX_ENTRIES + " exchanges in the period; narrow it with --since or --days");
          }
        }
      }
    }
    List<FleetEntry> entries = counted.values().stream().map(Counted::entry).toList();
    return new Scan(entries, skipped.listed, skipped.count);
  }

  /** An exchange counted, where it was found, and whether that is where the archive puts it. */
  private record Counted(FleetEntry entry, Path path, boolean inPlace) {}

  /**
   * Counts {@code c} unless its challenge is counted already. Of two copies, the one in the
   * date folder of its verifiedAt (where the archive writes it) is counted; otherwise the
   * first found.
   */
  private static void count(Map<String, Counted> counted, Counted c, Skips skipped) {
    Counted before = counted.get(c.entry().challengeId());
    if (before == null) {
      counted.put(c.entry().challengeId(), c);
      return;
    }
    Counted kept = before;
    Counted copy = c;
    if (c.inPlace() && !before.inPlace()) {
      counted.put(c.entry().challengeId(), c);
      kept = c;
      copy = before;
    }
    skipped.add(new Skipped(copy.path(), "a copy of challenge " + c.entry().challengeId()
        + ", which is counted once, from " + kept.path()));
  }

  private static LocalDate utcDate(Instant at) {
    return at.atOffset(ZoneOffset.UTC).toLocalDate();
  }

  /** Skipped entries: counted, and the first ones kept. */
  private static final class Skips {
    final List<Skipped> listed = new ArrayList<>();
    int count;

    void add(Skipped s) {
      count++;
      if (listed.size() < MAX_SKIPPED_LISTED) {
        listed.add(s);
      }
    }
  }

  /**
   * One exchange folder.
   *
   * @throws BadMessageException the folder is not a complete, consistent exchange, or
   *     {@code trust} does not accept it: the message says why
   * @throws IOException a file in it cannot be read
   */
  public static FleetEntry read(Path exchange, ArchiveTrust trust)
      throws BadMessageException, IOException {
    String id = exchange.getFileName().toString();
    if (!CHALLENGE_ID.matcher(id).matches()) {
      throw new BadMessageException("not an exchange folder (the name is not a challenge id)");
    }
    ArchivedFiles files = ArchivedFiles.read(exchange);
    // Complete as 'validator reverify' reads it, files checked by their own types (8.5).
    ArchivedExchange x = ArchivedExchange.parse(files);
    Optional<String> signer;
    try {
      signer = trust.verify(files);
    } catch (VerificationException e) {
      throw new BadMessageException(e.getMessage());
    }
    ArchiveRecord record = x.record();
    if (!id.equals(record.challengeId())) {
      throw new BadMessageException("record.json: challengeId is not the folder's name");
    }
    Challenge c = inSession(() -> x.session().decodedChallenge().value());
    if (!id.equals(c.id())) {
      throw new BadMessageException("session.json: the challenge is not the folder's");
    }
    Verdict verdict = x.verdict();
    if (!id.equals(verdict.challengeId())) {
      throw new BadMessageException("verdict.json: challengeId is not the folder's name");
    }
    String keyId = null;
    if (x.session().commitment() != null) {
      // The key whose signature on the commitment verifies, as the verdict's attestation
      // takes it (AttestationSummary), but read from the signed session itself.
      keyId = AttestationSummary.signerKeyId(
          inSession(() -> x.session().decodedCommitment().value()));
    } else if (record.proverFailure() == null) {
      throw new BadMessageException("session.json: no commitment recorded, and record.json"
          + " names no prover failure");
    }
    Attestation a = verdict.attestation();
    Double memoryTBps = verdict.checks().stream()
        .filter(k -> k.name().equals("memory.window") && k.figures() != null)
        .map(k -> k.figures().get("shownTBps")).filter(java.util.Objects::nonNull)
        .findFirst().orElse(null);
    return new FleetEntry(id, record.provider(), keyId, c.model(), verdict.passed(),
        a == null ? null : a.backend(), a == null ? null : a.timing().tflopsPerGpu(),
        memoryTBps, record.verified(), signer.isPresent());
  }

  @FunctionalInterface
  private interface Decoding<T> {
    T get() throws BadMessageException;
  }

  /** A message of session.json decoded; an error says it came from there. */
  private static <T> T inSession(Decoding<T> d) throws BadMessageException {
    try {
      return d.get();
    } catch (BadMessageException e) {
      throw new BadMessageException("session.json: " + e.getMessage());
    }
  }

  private static LocalDate day(String name) {
    if (!DAY.matcher(name).matches()) {
      return null;
    }
    try {
      return LocalDate.parse(name);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A folder's entries by name, so that reports and warnings come in a stable order. */
  private static List<Path> sorted(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(out::add);
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    out.sort(null);
    return out;
  }
}
