package org.gpuattest.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.gpuattest.common.BadMessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files a user names: one line naming the option and the path for each way reading fails, a
 * UTF-8 byte-order mark accepted, UTF-16 and binary refused in words.
 *
 * <p>The chmod case is skipped where this JVM reads a file of mode 000 anyway (root, or a
 * process with CAP_DAC_OVERRIDE): run it as another user, or as root with those capabilities
 * dropped ({@code capsh --drop=cap_dac_override,cap_dac_read_search -- -c 'mvn ...'}). The
 * mapping of a permission failure to its line is tested directly, which holds for any user.
 */
class InputFilesTest {
  @TempDir Path dir;

  private String refusal(Path file) {
    return assertThrows(BadMessageException.class,
        () -> InputFiles.readText("--key", file, 1024, "a key file")).getMessage();
  }

  @Test
  void readText_utf8ByteOrderMark_dropped() throws Exception {
    Path f = Files.write(dir.resolve("k.pem"), new byte[] {(byte) 0xEF, (byte) 0xBB,
        (byte) 0xBF, 'a', 'b'});
    assertEquals("ab", InputFiles.readText("--key", f, 1024, "a key file"));
  }

  @Test
  void readText_utf16_refusedSayingSo() throws Exception {
    byte[] text = "-----BEGIN".getBytes(StandardCharsets.UTF_16); // FE FF, then big-endian
    Path be = Files.write(dir.resolve("be.pem"), text);
    assertEquals("--key: file " + be + " is UTF-16 text (it starts with a UTF-16 byte-order"
        + " mark); save it as UTF-8", refusal(be));
    Path le = Files.write(dir.resolve("le.pem"), "-----BEGIN".getBytes(
        StandardCharsets.UTF_16LE));
    assertEquals("--key: file " + le + " holds NUL bytes: UTF-16 text or a binary file, not"
        + " UTF-8 text; save it as UTF-8", refusal(le));
    Path bomLe = Files.write(dir.resolve("bomle.pem"), new byte[] {(byte) 0xFF, (byte) 0xFE,
        '-', 0});
    assertEquals("--key: file " + bomLe + " is UTF-16 text (it starts with a UTF-16"
        + " byte-order mark); save it as UTF-8", refusal(bomLe));
  }

  @Test
  void readText_binary_refusedWithoutQuotingIt() throws Exception {
    Path f = Files.write(dir.resolve("k.der"), new byte[] {(byte) 0x30, (byte) 0x2e,
        (byte) 0xc3, (byte) 0x28, 'x'});
    assertEquals("--key: file " + f + " is not UTF-8 text (a binary file?)", refusal(f));
  }

  @Test
  void read_folderMissingOrTooLarge_oneLineNamingOptionAndPath() throws Exception {
    assertEquals("--key: " + dir + " is a folder, not a key file", refusal(dir));
    assertEquals("--key: no such file " + dir.resolve("none"), refusal(dir.resolve("none")));
    Path big = Files.write(dir.resolve("big.pem"), new byte[1025]);
    assertEquals("--key: " + big + " is 1025 bytes, over the size limit of 1024 bytes for a key"
        + " file", refusal(big));
  }

  /** A path through a plain file: root gets the same refusal as anyone. */
  @Test
  void read_pathUnderAFile_saysWhyWithoutTheJavaExceptionName() throws Exception {
    Path file = Files.writeString(dir.resolve("plain"), "x");
    String m = refusal(file.resolve("k.pem"));
    assertEquals("--key: cannot read " + file.resolve("k.pem") + ": Not a directory", m);
  }

  @Test
  void unreadable_accessDenied_saysPermissionDenied() {
    Path f = dir.resolve("o.b64");
    assertEquals("--openings: cannot read " + f + ": permission denied",
        InputFiles.unreadable("--openings", f, new AccessDeniedException(f.toString()))
            .getMessage());
  }

  @Test
  void read_unreadableFile_saysPermissionDenied() throws Exception {
    Path f = Files.writeString(dir.resolve("o.b64"), "QUJD");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(f), "this JVM reads files of mode 000 (root): see the class");
    assertEquals("--key: cannot read " + f + ": permission denied", refusal(f));
  }

  @Test
  void text_plainUtf8_unchanged() throws Exception {
    String s = "caf\u00e9 \u2713";
    assertEquals(s, InputFiles.text("x", "standard input", s.getBytes(StandardCharsets.UTF_8)));
    assertFalse(InputFiles.text("x", "y", new byte[0]).length() > 0);
  }
}
