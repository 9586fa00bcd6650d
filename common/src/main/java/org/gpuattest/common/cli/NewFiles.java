package org.gpuattest.common.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.util.AtomicFiles;

/**
 * New private files named by a CLI option (keys, sessions): created atomically with mode 0600,
 * never over an existing file, and only in a folder that exists, since a mistyped folder is
 * better refused than silently created. Refusals name the option.
 */
public final class NewFiles {
  private NewFiles() {}

  /**
   * @param why the end of the refusal when the file exists, e.g. "a session is used once"
   * @throws BadMessageException the file exists or its folder does not (exit 2)
   * @throws RuntimeFailureException it could not be written (exit 3)
   */
  public static void createPrivate(String option, Path file, byte[] data, String why)
      throws BadMessageException, RuntimeFailureException {
    checkCreatable(option, file, why);
    try {
      AtomicFiles.createAtomically(file, data, true);
    } catch (FileAlreadyExistsException e) {
      throw new BadMessageException(option + ": " + file + " exists; " + why);
    } catch (NoSuchFileException e) {
      throw missingFolder(option, file);
    } catch (IOException e) {
      throw new RuntimeFailureException(option + ": cannot write " + file + ": " + e.getMessage());
    }
  }

  /** The checks of {@link #createPrivate}, made before any work that would end in it. */
  public static void checkCreatable(String option, Path file, String why)
      throws BadMessageException {
    if (Files.exists(file)) {
      throw new BadMessageException(option + ": " + file + " exists; " + why);
    }
    if (!Files.isDirectory(file.toAbsolutePath().getParent())) {
      throw missingFolder(option, file);
    }
  }

  private static BadMessageException missingFolder(String option, Path file) {
    return new BadMessageException(option + ": folder " + file.toAbsolutePath().getParent()
        + " does not exist (create it first)");
  }
}
