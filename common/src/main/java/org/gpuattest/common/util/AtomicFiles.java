package org.gpuattest.common.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files written so that nothing half-written is ever seen: a temporary file beside the target,
 * then an atomic rename. Private files (keys, sessions) are created 0600 before any byte lands.
 * The target's folder must exist: a mistyped path is refused rather than silently created.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** The default home of both tools' files: $GPU_ATTEST_HOME, else ~/.gpu-attest. */
  public static Path home() {
    String env = System.getenv("GPU_ATTEST_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".gpu-attest");
  }

  /**
   * Makes sure files can be created in {@code dir} (creating the folder if needed): a store
   * the tool owns is checked before any work is done for it, so a full disk or a read-only
   * folder is found at the start, not after the work.
   *
   * @param what names the store in the refusal, e.g. "replay store"
   * @throws IOException "{what} {dir} is not writable ({why})"
   */
  public static void probeWritable(String what, Path dir) throws IOException {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".probe-", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      throw new IOException(what + " " + dir + " is not writable (" + describe(e) + ")", e);
    }
  }

  /**
   * One line for a file-system failure, in words: "permission denied: /x/y", "no such file or
   * folder: /x", "No space left on device: /x/y", where Java's own messages give only a path.
   */
  public static String describe(IOException e) {
    if (e instanceof AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file or folder: " + n.getFile();
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "already exists: " + f.getFile();
    }
    if (e instanceof FileSystemException f) {
      return (f.getReason() != null ? f.getReason() : "file system error") + ": " + f.getFile();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  public static void writeAtomically(Path target, byte[] data, boolean privateFile)
      throws IOException {
    Path tmp = tempBeside(target, data, privateFile);
    try {
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** As writeAtomically, but refuses to replace an existing file. */
  public static void createAtomically(Path target, byte[] data, boolean privateFile)
      throws IOException {
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Path tmp = tempBeside(target, data, privateFile);
    try {
      Files.createLink(target, tmp); // fails if the target appeared meanwhile
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The data in a new temporary file in the target's folder, private before it is written. */
  private static Path tempBeside(Path target, byte[] data, boolean privateFile)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "the folder does not exist");
    }
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      if (privateFile) {
        setPrivate(tmp);
      }
      Files.write(tmp, data);
      return tmp;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  static void setPrivate(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system; the directory's permissions are all we have.
    }
  }
}
