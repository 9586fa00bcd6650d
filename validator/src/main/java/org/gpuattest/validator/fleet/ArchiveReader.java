package org.gpuattest.validator.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveRecord;

/**
 * Reads an evidence archive (README, "Evidence archive"): {@code DIR/<YYYY-MM-DD>/<challengeId>/}
 * holding record.json, session.json and verdict.json. A folder is renamed into place only once
 * complete, so names starting with "." (one being written) are passed over. Anything else that
 * cannot be read as an exchange (a missing or oversized file, malformed JSON, a record naming
 * another challenge) is skipped and reported, never fatal: one damaged entry must not hide the
 * rest of the fleet. Each file is read up to a fixed size, and links are not followed.
 */
public final class ArchiveReader {
  /** record.json is a few hundred bytes; a pinned key PEM fits many times over. */
  static final int MAX_RECORD_BYTES = 64 << 10;
  /** A verdict is some 10 KiB: 19 checks of one line each, 64 device UUIDs at most. */
  static final int MAX_VERDICT_BYTES = 1 << 20;
  /** Read only for a prover failure's model: such a session holds no commitment. */
  static final int MAX_SESSION_BYTES = 1 << 20;

  /**
   * Exchanges one report holds, at most (some 100 bytes each): beyond it the operator narrows
   * the period rather than the validator running out of memory.
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
   * Every exchange in {@code archive} verified at or after {@code since} (all when null).
   *
   * @throws BadMessageException {@code archive} does not exist or is not a folder
   * @throws IOException the archive folder itself cannot be listed
   */
  public static Scan scan(Path archive, Instant since) throws BadMessageException, IOException {
    if (!Files.isDirectory(archive)) {
      throw new BadMessageException(Files.exists(archive)
          ? "archive " + archive + " is not a folder" : "no archive folder " + archive);
    }
    LocalDate firstDay = since == null ? null : since.atOffset(ZoneOffset.UTC).toLocalDate();
    List<FleetEntry> entries = new ArrayList<>();
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
          e = read(exchange);
        } catch (BadMessageException ex) {
          skipped.add(new Skipped(exchange, ex.getMessage()));
          continue;
        } catch (IOException ex) {
          skipped.add(new Skipped(exchange, AtomicFiles.describe(ex)));
          continue;
        }
        if (since == null || !e.verifiedAt().isBefore(since)) {
          if (entries.size() == MAX_ENTRIES) {
            throw new BadMessageException("archive " + archive + " holds more than "
                + MAX_ENTRIES + " exchanges in the period; narrow it with --since or --days");
          }
          entries.add(e);
        }
      }
    }
    return new Scan(entries, skipped.listed, skipped.count);
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
   * @throws BadMessageException the folder is not a complete, consistent exchange
   * @throws IOException a file in it cannot be read
   */
  public static FleetEntry read(Path exchange) throws BadMessageException, IOException {
    String id = exchange.getFileName().toString();
    if (!CHALLENGE_ID.matcher(id).matches()) {
      throw new BadMessageException("not an exchange folder (the name is not a challenge id)");
    }
    if (!Files.isDirectory(exchange, LinkOption.NOFOLLOW_LINKS)) {
      throw new BadMessageException("not a folder");
    }
    // The record as the archive writes it, checked by its own type (docs/protocol.md 8.5).
    ArchiveRecord record = Json.read("record.json", bounded(exchange, "record.json",
        MAX_RECORD_BYTES), ArchiveRecord.class);
    if (!id.equals(record.challengeId())) {
      throw new BadMessageException("record.json: challengeId is not the folder's name");
    }
    Instant verifiedAt = record.verified();
    String provider = record.provider();
    Verdict verdict = Json.read("verdict.json", bounded(exchange, "verdict.json",
        MAX_VERDICT_BYTES), Verdict.class);
    if (!verdict.challengeId().equals(id)) {
      throw new BadMessageException("verdict.json: challengeId is not the folder's name");
    }
    Attestation a = verdict.attestation();
    if (a != null) {
      return new FleetEntry(id, provider, a.proverKeyId(), a.model(), verdict.passed(),
          a.backend(), a.timing().tflopsPerGpu(), verifiedAt);
    }
    return new FleetEntry(id, provider, null, sessionModel(exchange), verdict.passed(), null,
        null, verifiedAt);
  }

  /** The claimed model from session.json's challenge, for a verdict without attestation. */
  private static String sessionModel(Path exchange) {
    try {
      Session s = Json.read("session.json", bounded(exchange, "session.json",
          MAX_SESSION_BYTES), Session.class);
      Challenge c = s.decodedChallenge().value();
      return c.model();
    } catch (BadMessageException | IOException | RuntimeException e) {
      return null; // the verdict still counts, under an unknown model
    }
  }

  /** A regular file of the exchange, not a link, read whole if at most {@code max} bytes. */
  static byte[] bounded(Path exchange, String name, int max)
      throws BadMessageException, IOException {
    Path file = exchange.resolve(name);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new BadMessageException("no " + name + " (a damaged or hand-made entry)");
    }
    if (!attrs.isRegularFile()) {
      throw new BadMessageException(name + " is not a regular file");
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] data = in.readNBytes(max + 1);
      if (data.length > max) {
        throw new BadMessageException(name + " is larger than " + (max >> 10) + " KiB");
      }
      return data;
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
