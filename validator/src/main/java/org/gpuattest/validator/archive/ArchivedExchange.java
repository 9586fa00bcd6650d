package org.gpuattest.validator.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.Session;

/**
 * One exchange as the evidence archive keeps it (docs/protocol.md section 8.5): its record,
 * the validator's session, the prover's openings text as received (null when the prover failed
 * before it answered), and the verdict. {@link #parse} of {@link ArchivedFiles} is the one
 * reader of an exchange folder; every refusal names the file at fault. The validator's
 * signature over the files is {@value #SIGNATURE} ({@link ArchiveSignature}).
 */
public record ArchivedExchange(ArchiveRecord record, Session session, String openings,
    Verdict verdict) {
  public static final String RECORD = "record.json";
  public static final String SESSION = "session.json";
  public static final String OPENINGS = "openings.b64";
  public static final String VERDICT = "verdict.json";
  /** The validator's signature over the other four (ArchiveSignature). */
  public static final String SIGNATURE = "signature.json";

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
   * Reads an exchange folder; its signature is not looked at ({@link ArchiveTrust} does that).
   *
   * @throws BadMessageException the folder or one of its files is missing, too large or
   *     malformed: the message names the file
   * @throws IOException a file exists but cannot be read
   */
  public static ArchivedExchange read(Path dir) throws BadMessageException, IOException {
    return parse(ArchivedFiles.read(dir));
  }

  /**
   * The exchange those files hold.
   *
   * @throws BadMessageException a file is malformed, or openings.b64 is missing where the
   *     record names no prover failure: the message names the file
   */
  public static ArchivedExchange parse(ArchivedFiles files) throws BadMessageException {
    Path dir = files.dir();
    ArchiveRecord record = Json.read(dir.resolve(RECORD).toString(), files.record(),
        ArchiveRecord.class);
    Session session = Json.read(dir.resolve(SESSION).toString(), files.session(),
        Session.class);
    Verdict verdict = Json.read(dir.resolve(VERDICT).toString(), files.verdict(),
        Verdict.class);
    byte[] openings = files.openings();
    if (openings == null && record.proverFailure() == null) {
      throw new BadMessageException(dir + " is not a complete exchange folder: " + OPENINGS
          + " is missing");
    }
    return new ArchivedExchange(record, session, openings == null ? null
        : new String(openings, StandardCharsets.US_ASCII), verdict);
  }

  /** The record of an exchange folder alone, as pruning reads it. */
  static ArchiveRecord readRecord(Path dir) throws BadMessageException, IOException {
    return Json.read(dir.resolve(RECORD).toString(), ArchivedFiles.required(dir, RECORD,
        ArchivedFiles.MAX_JSON_BYTES), ArchiveRecord.class);
  }
}
