package org.gpuattest.validator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.common.util.Hex;

/**
 * The challenge ids a validator host has already verified, one small file per id in a folder.
 * Claiming an id creates its file with CREATE_NEW, which the file system makes atomic, so two
 * validators on one host cannot both accept the same challenge, and the record survives
 * restarts. A store that cannot be written is the validator's own fault: it is reported as an
 * {@link IOException}, never as a failed check of the prover, and {@link #checkUsable} finds it
 * before any work is asked of a prover.
 */
public final class ReplayStore implements ReplayGuard {
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

  /** @throws IOException when ids cannot be recorded here, saying why */
  public void checkUsable() throws IOException {
    AtomicFiles.probeWritable("replay store", dir);
  }

  /**
   * Marks the id used.
   *
   * @return true if this call claimed it, false if it was used before
   * @throws IOException the store cannot be written
   */
  @Override
  public boolean claim(String challengeIdHex, Instant now) throws IOException {
    Hex.decode("challenge id", challengeIdHex, 16); // no path tricks: 32 hex digits only
    Path marker = dir.resolve(challengeIdHex.toLowerCase(Locale.ROOT));
    try {
      Files.createDirectories(dir);
      Files.write(marker, (now + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new IOException("cannot record challenge " + challengeIdHex + " in the replay store "
          + dir + " (" + AtomicFiles.describe(e) + ")", e);
    }
  }
}
