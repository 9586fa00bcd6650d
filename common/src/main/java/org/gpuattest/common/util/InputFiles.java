package org.gpuattest.common.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.gpuattest.common.BadMessageException;

/**
 * The one reader of files a user names on a command line (a message's {@code @file}, a key, a
 * session): whatever goes wrong is one line that names the option and the path and says what
 * is wrong in words, and is bad input (exit 2, docs/cli.md), never a bare path or "Is a
 * directory" as a fault of the tool. A tool's own stores (the validator's replay store and
 * archive, the prover's state) are not read through here: what goes wrong there is the tool's
 * fault (exit 3).
 *
 * <p>Text is UTF-8, as every file the tools write: a UTF-8 byte-order mark (which some
 * editors add) is dropped; UTF-16 (a byte-order mark FE FF or FF FE, or NUL bytes) and bytes
 * that are not UTF-8 at all are refused, saying so. No error ever quotes the file's content.
 */
public final class InputFiles {
  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private InputFiles() {}

  /**
   * The whole file, refused by its size before it is read and again while it is read (it may
   * grow meanwhile).
   *
   * @param what the option that named the file, as refusals start: "--session"
   * @param kind what the file should be, for refusals: "a session file", "a key file"
   * @throws BadMessageException the file is missing, a folder, unreadable or too large
   */
  public static byte[] read(String what, Path file, int maxBytes, String kind)
      throws BadMessageException {
    try {
      if (Files.isDirectory(file)) {
        throw new BadMessageException(what + ": " + file + " is a folder, not " + kind);
      }
      long size = Files.size(file);
      if (size > maxBytes) {
        throw tooLarge(what, file + " is " + size + " bytes", maxBytes, kind);
      }
      try (InputStream in = Files.newInputStream(file)) {
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
          throw tooLarge(what, file + " is over " + maxBytes + " bytes", maxBytes, kind);
        }
        return bytes;
      }
    } catch (IOException e) {
      throw unreadable(what, file, e);
    }
  }

  /** As {@link #read}, decoded as UTF-8 text ({@link #text}). */
  public static String readText(String what, Path file, int maxBytes, String kind)
      throws BadMessageException {
    return text(what, "file " + file, read(what, file, maxBytes, kind));
  }

  /**
   * {@code bytes} as UTF-8 text, a leading UTF-8 byte-order mark dropped.
   *
   * @param source where the bytes came from, for refusals: "file x.b64", "standard input"
   * @throws BadMessageException the bytes are UTF-16 (a byte-order mark, or NUL bytes) or not
   *     UTF-8; the refusal says which and never quotes them
   */
  public static String text(String what, String source, byte[] bytes)
      throws BadMessageException {
    int from = startsWith(bytes, UTF8_BOM) ? UTF8_BOM.length : 0;
    if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
        || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
      throw new BadMessageException(what + ": " + source + " is UTF-16 text (it starts with a"
          + " UTF-16 byte-order mark); save it as UTF-8");
    }
    for (byte b : bytes) {
      if (b == 0) {
        throw new BadMessageException(what + ": " + source + " holds NUL bytes: UTF-16 text"
            + " or a binary file, not UTF-8 text; save it as UTF-8");
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
    } catch (CharacterCodingException e) {
      throw new BadMessageException(what + ": " + source + " is not UTF-8 text (a binary"
          + " file?)");
    }
  }

  /**
   * One line for a failure to read a file the user named: "no such file x", "cannot read x:
   * permission denied", "x is a folder, not ...", where Java's own messages give a bare path
   * or "Is a directory".
   */
  public static BadMessageException unreadable(String what, Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      // JDK 25 reports a path through a plain file (ENOTDIR) as missing; JDK 17 says "Not a
      // directory". Both say the latter here.
      return new BadMessageException(what + (throughAFile(file)
          ? ": cannot read " + file + ": Not a directory" : ": no such file " + file));
    }
    if (e instanceof AccessDeniedException) {
      return new BadMessageException(what + ": cannot read " + file + ": permission denied");
    }
    if (Files.isDirectory(file)) {
      return new BadMessageException(what + ": " + file + " is a folder, not a file");
    }
    String why = AtomicFiles.describe(e);
    // describe() ends with the path where Java names one; it is named once already.
    String path = ": " + file;
    if (why.endsWith(path)) {
      why = why.substring(0, why.length() - path.length());
    }
    return new BadMessageException(what + ": cannot read " + file + ": " + why);
  }

  /** Whether the nearest ancestor of {@code file} that exists is not a folder. */
  private static boolean throughAFile(Path file) {
    for (Path p = file.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        return !Files.isDirectory(p);
      }
    }
    return false;
  }

  private static BadMessageException tooLarge(String what, String found, int maxBytes,
      String kind) {
    return new BadMessageException(what + ": " + found + ", over the size limit of " + maxBytes
        + " bytes for " + kind);
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
