package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.gpuattest.common.BadMessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every message an option names is read by one bounded reader that never quotes its input. */
class MessageInputTest {
  private static final String JSON = "{\"version\": 1, \"samplingSeed\": \"" + "ab".repeat(32)
      + "\"}";
  @TempDir Path dir;

  private static InputStream stdin(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  private static BadMessageException refused(String spec, InputStream in) {
    return assertThrows(BadMessageException.class, () -> MessageInput.read("openings", spec, in));
  }

  @Test
  void read_atFileWrappedAt76Columns_returnsWholeFileForTheCodec() throws Exception {
    String b64 = Base64.getMimeEncoder().encodeToString(JSON.getBytes(StandardCharsets.UTF_8));
    assertTrue(b64.contains("\r\n"), "the test input is wrapped");
    Path f = Files.writeString(dir.resolve("m.b64"), b64 + "\n");
    String text = MessageInput.read("openings", "@" + f, stdin(""));
    assertEquals(b64 + "\n", text);
    assertEquals(JSON, new String(MessageCodec.base64("openings", text), StandardCharsets.UTF_8));
  }

  @Test
  void read_emptyFile_saysEmpty() throws Exception {
    Path f = Files.writeString(dir.resolve("empty.b64"), "");
    assertEquals("openings: file " + f + " is empty", refused("@" + f, stdin("")).getMessage());
    Path blank = Files.writeString(dir.resolve("blank.b64"), " \n\n");
    assertTrue(refused("@" + blank, stdin("")).getMessage().endsWith("is empty"));
  }

  @Test
  void read_emptyStdin_saysEmpty() {
    assertEquals("openings: standard input is empty", refused("-", stdin("")).getMessage());
  }

  @Test
  void read_folder_saysFolder() {
    assertTrue(refused("@" + dir, stdin("")).getMessage().contains("is a folder"));
  }

  @Test
  void read_missingFile_namesIt() {
    assertEquals("openings: no such file " + dir.resolve("absent"),
        refused("@" + dir.resolve("absent"), stdin("")).getMessage());
  }

  /** A 200 MB file is refused by its size, before a byte of it is read (a sparse file here). */
  @Test
  void read_hugeFile_refusedBySizeWithoutReading() throws Exception {
    Path f = dir.resolve("huge.b64");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(200L << 20);
    }
    String m = refused("@" + f, stdin("")).getMessage();
    assertTrue(m.contains("209715200 bytes, over the size limit"), m);
    assertEquals(1, m.lines().count());
  }

  /** Standard input that never ends is refused once it passes the limit. */
  @Test
  void read_endlessStdin_refusedAtTheLimit() {
    InputStream endless = new InputStream() {
      long given;

      @Override
      public int read() {
        given++;
        return 'A';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        java.util.Arrays.fill(b, off, off + len, (byte) 'A');
        given += len;
        return len;
      }
    };
    String m = refused("-", endless).getMessage();
    assertTrue(m.contains("over the size limit"), m);
  }

  @Test
  void read_jsonFile_errorsNeverQuoteTheContent() throws Exception {
    Path f = Files.writeString(dir.resolve("session.json"), JSON);
    String text = MessageInput.read("openings", "@" + f, stdin(""));
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageCodec.decode("openings", text, Openings.class));
    assertTrue(!e.getMessage().contains("ab".repeat(32)), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void readLine_takesTheFirstLineAndLeavesTheRest() throws Exception {
    InputStream in = stdin("QUJD\r\nmore\n");
    assertEquals("QUJD", MessageInput.readLine("challenge", in));
    assertEquals("more\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
  }

  @Test
  void readLine_emptyFirstLine_saysEmpty() {
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageInput.readLine("challenge", stdin("\nQUJD\n")));
    assertEquals("challenge: the first line of standard input is empty", e.getMessage());
  }

  /** Some editors (Notepad) write a UTF-8 byte-order mark: it is not part of the message. */
  @Test
  void read_fileOrStdinWithUtf8ByteOrderMark_markDropped() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    Path f = dir.resolve("o.b64");
    Files.write(f, bom);
    Files.writeString(f, "QUJD\n", java.nio.file.StandardOpenOption.APPEND);
    assertEquals("QUJD\n", MessageInput.read("openings", "@" + f, stdin("")));
    assertEquals("QUJD", MessageInput.read("openings", "-",
        new ByteArrayInputStream(new byte[] {bom[0], bom[1], bom[2], 'Q', 'U', 'J', 'D'})));
  }

  /** PowerShell's '>' writes UTF-16: say so, rather than "not base64". */
  @Test
  void read_utf16FileOrStdin_refusedSayingUtf16() throws Exception {
    Path f = Files.write(dir.resolve("o.b64"), "QUJD".getBytes(StandardCharsets.UTF_16LE));
    assertEquals("openings: file " + f + " holds NUL bytes: UTF-16 text or a binary file, not"
        + " UTF-8 text; save it as UTF-8", refused("@" + f, stdin("")).getMessage());
    assertTrue(refused("-", new ByteArrayInputStream("QUJD".getBytes(StandardCharsets.UTF_16)))
        .getMessage().startsWith("openings: standard input is UTF-16 text"));
  }

  @Test
  void read_textArgument_returnedAsIs() throws Exception {
    assertEquals("QUJD", MessageInput.read("openings", "QUJD", stdin("")));
  }
}
