package org.gpuattest.common.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.gpuattest.common.BadMessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NewFilesTest {
  private static final byte[] DATA = "secret\n".getBytes(StandardCharsets.US_ASCII);
  @TempDir Path dir;

  @Test
  void createPrivate_newFile_writtenWithMode0600() throws Exception {
    Path f = dir.resolve("key.pem");
    NewFiles.createPrivate("--out", f, DATA, "never overwritten");
    assertArrayEquals(DATA, Files.readAllBytes(f));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
  }

  @Test
  void createPrivate_missingFolder_refusedAndNotCreated() {
    Path f = dir.resolve("typo").resolve("key.pem");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> NewFiles.createPrivate("--out", f, DATA, "never overwritten"));
    assertTrue(e.getMessage().startsWith("--out: folder "), e.getMessage());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("typo")), "the folder was created");
  }

  @Test
  void createPrivate_existingFile_refusedAndUnchanged() throws Exception {
    Path f = Files.writeString(dir.resolve("s.json"), "before");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> NewFiles.createPrivate("--session", f, DATA, "a session is used once"));
    assertEquals("--session: " + f + " exists; a session is used once", e.getMessage());
    assertEquals("before", Files.readString(f));
  }
}
