package org.gpuattest.validator;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.common.util.Hex;

/**
 * The challenge ids a validator host has already verified, one empty-ish file per id in a
 * folder. Claiming an id creates its file with CREATE_NEW, which the file system makes atomic,
 * so two validators on one host cannot both accept the same challenge, and the record survives
 * restarts.
 */
public final class ReplayStore {
  private final Path dir;

  public ReplayStore(Path dir) {
    this.dir = dir;
  }

  public static ReplayStore defaultStore() {
    return new ReplayStore(AtomicFiles.home().resolve("validator").resolve("used-challenges"));
  }

  public Path dir() {
    return dir;
  }

  /**
   * Marks the id used.
   *
   * @return true if this call claimed it, false if it was used before
   */
  public boolean claim(String challengeIdHex, Instant now) throws IOException {
    Hex.decode("challenge id", challengeIdHex, 16); // no path tricks: 32 hex digits only
    Files.createDirectories(dir);
    Path marker = dir.resolve(challengeIdHex.toLowerCase(java.util.Locale.ROOT));
    try {
      Files.write(marker, (now.toString() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
          java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }
}
