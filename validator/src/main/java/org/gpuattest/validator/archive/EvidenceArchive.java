package org.gpuattest.validator.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.AtomicFiles;

/**
 * The evidence archive: every exchange 'validator attest' and 'validator verify' decided, one
 * folder each, {@code ROOT/<YYYY-MM-DD>/<challenge id>/} (the verdict's UTC date; docs/protocol.md
 * section 8.5). A folder is built under a temporary name beside its final one and renamed into
 * place, so a folder under its final name is complete. An exchange is archived once: a folder
 * already there for the same challenge is never replaced. Each exchange is signed by the
 * validator ({@link ArchiveSignature}), so an edit shows ({@link ArchiveTrust}). Failing to archive is the validator's
 * own fault, reported as an {@link IOException}, never as a failed check of the prover.
 */
public final class EvidenceArchive {
  /** The UTC date folders, as {@link #DATE} writes them. */
  public static final Pattern DATE_FOLDER = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  /** The exchange folders: a challenge id, 32 lower-case hex digits. */
  public static final Pattern EXCHANGE_FOLDER = Pattern.compile("[0-9a-f]{32}");
  /** Where an exchange is built before its rename; left only by a crash, and pruned. */
  public static final String PARTIAL_PREFIX = ".partial-";
  static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

  private final Path root;

  public EvidenceArchive(Path root) {
    this.root = root;
  }

  /** $GPU_ATTEST_HOME/validator/archive, else ~/.gpu-attest/validator/archive. */
  public static EvidenceArchive defaultArchive() {
    return new EvidenceArchive(AtomicFiles.home().resolve("validator").resolve("archive"));
  }

  public Path root() {
    return root;
  }

  /**
   * @throws IOException exchanges cannot be kept here, saying why: found before any prover is
   *     asked for work, like the replay store's
   */
  public void checkUsable() throws IOException {
    AtomicFiles.probeWritable("evidence archive", root);
  }

  /** The folder an exchange is kept in. */
  public Path folder(ArchiveRecord record) {
    return root.resolve(DATE.format(record.verified())).resolve(record.challengeId());
  }

  /**
   * Keeps one exchange, whole or not at all, signed with {@code key}: signature.json holds the
   * validator's signature over the SHA-256 of the other files, as written (section 8.5).
   *
   * @return its folder
   * @throws IOException it could not be written (nothing of it is left), or this challenge's
   *     folder exists already
   */
  public Path keep(ArchivedExchange exchange, Ed25519PrivateKey key) throws IOException {
    Path target = folder(exchange.record());
    Path day = target.getParent();
    boolean newDay = !Files.isDirectory(day);
    Path tmp = null;
    try {
      Files.createDirectories(day);
      if (Files.exists(target)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      tmp = Files.createTempDirectory(day, PARTIAL_PREFIX + exchange.record().challengeId()
          + "-");
      byte[] record = exchange.recordJson();
      byte[] session = exchange.sessionJson();
      byte[] openings = exchange.openings() == null ? null
          : exchange.openings().getBytes(StandardCharsets.US_ASCII);
      byte[] verdict = exchange.verdictJson();
      Files.write(tmp.resolve(ArchivedExchange.RECORD), record);
      Files.write(tmp.resolve(ArchivedExchange.SESSION), session);
      if (openings != null) {
        Files.write(tmp.resolve(ArchivedExchange.OPENINGS), openings);
      }
      Files.write(tmp.resolve(ArchivedExchange.VERDICT), verdict);
      Files.write(tmp.resolve(ArchivedExchange.SIGNATURE), Json.write(ArchiveSignature.sign(
          key, ArchiveSignature.Digests.of(record, session, openings, verdict))));
      move(tmp, target);
      return target;
    } catch (IOException e) {
      if (newDay) {
        deleteIfEmpty(day);
      }
      String why = e instanceof FileAlreadyExistsException
          ? target + " exists already; an exchange is archived once" : AtomicFiles.describe(e);
      throw new IOException("evidence archive " + root + ": cannot keep challenge "
          + exchange.record().challengeId() + " (" + why + ")", e);
    } finally {
      deleteTree(tmp);
    }
  }

  /** A rename within one folder: atomic on every file system the archive is meant for. */
  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target);
    } catch (DirectoryNotEmptyException e) {
      // rename(2) over a folder that appeared meanwhile: the first exchange stays.
      throw new FileAlreadyExistsException(target.toString());
    }
  }

  private static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Not empty (another exchange of that day), or not ours to remove: leave it.
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort: a temporary folder left behind is named .partial- and pruned later.
    }
  }
}
