package org.gpuattest.common.util;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files written so that nothing half-written is ever seen: a temporary file beside the target,
 * then an atomic rename. Private files (keys, sessions) are created 0600 before any byte lands.
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
    Files.createDirectories(dir);
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
