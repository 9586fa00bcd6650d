package org.gpuattest.validator.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.util.AtomicFiles;

/**
 * The bytes of one exchange folder's files, each read once, whole, up to its size cap, never
 * through a link (docs/protocol.md section 8.5). What is parsed ({@link ArchivedExchange#parse})
 * and what the validator's signature is checked against ({@link ArchiveTrust}) are these same
 * bytes, so a file swapped between the two cannot pass one and be judged by the other.
 * {@code openings} and {@code signature} are null when their file is absent: the first where
 * the prover failed before it answered, the second in exchanges archived before signing.
 */
public final class ArchivedFiles {
  /** The verdict of G = 64 devices, every check with its sentence, is a few KiB; room to spare. */
  static final int MAX_JSON_BYTES = 1 << 20;
  static final int MAX_SESSION_BYTES = 4 * Limits.MAX_MESSAGE_BYTES;
  /** A signature.json is some 400 bytes. */
  static final int MAX_SIGNATURE_BYTES = 16 << 10;

  private final Path dir;
  private final byte[] record;
  private final byte[] session;
  private final byte[] openings;
  private final byte[] verdict;
  private final byte[] signature;

  private ArchivedFiles(Path dir, byte[] record, byte[] session, byte[] openings,
      byte[] verdict, byte[] signature) {
    this.dir = dir;
    this.record = record;
    this.session = session;
    this.openings = openings;
    this.verdict = verdict;
    this.signature = signature;
  }

  /**
   * Reads an exchange folder's files.
   *
   * @throws BadMessageException the folder is not one, or record.json, session.json or
   *     verdict.json is missing, too large, not a regular file or unreadable: the message
   *     names the file
   * @throws IOException a file exists but cannot be read
   */
  public static ArchivedFiles read(Path dir) throws BadMessageException, IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new BadMessageException(dir + " is not an exchange folder ("
          + (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) ? "not a folder" : "no such folder")
          + ")");
    }
    return new ArchivedFiles(dir,
        required(dir, ArchivedExchange.RECORD, MAX_JSON_BYTES),
        required(dir, ArchivedExchange.SESSION, MAX_SESSION_BYTES),
        optional(dir, ArchivedExchange.OPENINGS, MessageCodec.MAX_TEXT_CHARS),
        required(dir, ArchivedExchange.VERDICT, MAX_JSON_BYTES),
        optional(dir, ArchivedExchange.SIGNATURE, MAX_SIGNATURE_BYTES));
  }

  public Path dir() {
    return dir;
  }

  byte[] record() {
    return record.clone();
  }

  byte[] session() {
    return session.clone();
  }

  /** Null when openings.b64 is absent. */
  byte[] openings() {
    return openings == null ? null : openings.clone();
  }

  byte[] verdict() {
    return verdict.clone();
  }

  /** Null when signature.json is absent: an unsigned exchange. */
  byte[] signature() {
    return signature == null ? null : signature.clone();
  }

  /** SHA-256 of each file as read (docs/protocol.md 8.5). */
  ArchiveSignature.Digests digests() {
    return ArchiveSignature.Digests.of(record, session, openings, verdict);
  }

  static byte[] required(Path dir, String name, int max) throws BadMessageException,
      IOException {
    byte[] b = optional(dir, name, max);
    if (b == null) {
      throw new BadMessageException(dir + " is not a complete exchange folder: " + name
          + " is missing");
    }
    return b;
  }

  /** The file's bytes, or null when there is no such file. */
  private static byte[] optional(Path dir, String name, int max) throws BadMessageException,
      IOException {
    Path file = dir.resolve(name);
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (!attrs.isRegularFile()) {
        throw new BadMessageException(file + " is not a regular file, as the exchange's "
            + name + " must be");
      }
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        byte[] data = in.readNBytes(max + 1);
        if (data.length > max) {
          throw new BadMessageException(file + " is more than " + max + " bytes, more than an"
              + " archived " + name + " can be");
        }
        return data;
      }
    } catch (NoSuchFileException e) {
      return null;
    } catch (AccessDeniedException e) {
      throw new BadMessageException("cannot read " + file + ": permission denied");
    } catch (IOException e) {
      throw new IOException("cannot read " + file + " (" + AtomicFiles.describe(e) + ")", e);
    }
  }
}
