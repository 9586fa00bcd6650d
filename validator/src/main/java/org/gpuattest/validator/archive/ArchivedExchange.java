package org.gpuattest.validator.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.validator.Session;

/**
 * One exchange as the evidence archive keeps it (docs/protocol.md section 8.5): its record,
 * the validator's session, the prover's openings text as received (null when the prover failed
 * before it answered), and the verdict. {@link #read} is the one reader of an exchange folder;
 * every refusal names the file at fault.
 */
public record ArchivedExchange(ArchiveRecord record, Session session, String openings,
    Verdict verdict) {
  public static final String RECORD = "record.json";
  public static final String SESSION = "session.json";
  public static final String OPENINGS = "openings.b64";
  public static final String VERDICT = "verdict.json";
  /** The verdict of G = 64 devices, every check with its sentence, is a few KiB; room to spare. */
  private static final long MAX_JSON_BYTES = 1 << 20;

  public ArchivedExchange {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(verdict, "verdict");
  }

  /** The files, as written: record, session and verdict as JSON, the openings as received. */
  byte[] recordJson() {
    return Json.write(record);
  }

  byte[] sessionJson() {
    return Json.write(session);
  }

  /** Exactly what 'validator verify --json' prints. */
  byte[] verdictJson() {
    return (Json.writeString(verdict) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads an exchange folder.
   *
   * @throws BadMessageException the folder or one of its files is missing, too large or
   *     malformed: the message names the file
   * @throws IOException a file exists but cannot be read
   */
  public static ArchivedExchange read(Path dir) throws BadMessageException, IOException {
    if (!Files.isDirectory(dir)) {
      throw new BadMessageException(dir + " is not an exchange folder (no such folder)");
    }
    ArchiveRecord record = readRecord(dir);
    Session session = Json.read(dir.resolve(SESSION).toString(),
        bytes(dir, SESSION, 4L * Limits.MAX_MESSAGE_BYTES), Session.class);
    Verdict verdict = Json.read(dir.resolve(VERDICT).toString(),
        bytes(dir, VERDICT, MAX_JSON_BYTES), Verdict.class);
    String openings = null;
    if (Files.exists(dir.resolve(OPENINGS)) || record.proverFailure() == null) {
      openings = new String(bytes(dir, OPENINGS, MessageCodec.MAX_TEXT_CHARS),
          StandardCharsets.US_ASCII);
    }
    return new ArchivedExchange(record, session, openings, verdict);
  }

  /** The record of an exchange folder alone, as pruning reads it. */
  static ArchiveRecord readRecord(Path dir) throws BadMessageException, IOException {
    return Json.read(dir.resolve(RECORD).toString(), bytes(dir, RECORD, MAX_JSON_BYTES),
        ArchiveRecord.class);
  }

  private static byte[] bytes(Path dir, String name, long max)
      throws BadMessageException, IOException {
    Path file = dir.resolve(name);
    try {
      if (Files.isDirectory(file)) {
        throw new BadMessageException(file + " is a folder, not the exchange's " + name);
      }
      long size = Files.size(file);
      if (size > max) {
        throw new BadMessageException(file + " is " + size + " bytes, more than an archived "
            + name + " can be (" + max + ")");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadMessageException(dir + " is not a complete exchange folder: " + name
          + " is missing");
    } catch (AccessDeniedException e) {
      throw new BadMessageException("cannot read " + file + ": permission denied");
    } catch (IOException e) {
      throw new IOException("cannot read " + file + " (" + AtomicFiles.describe(e) + ")", e);
    }
  }
}
