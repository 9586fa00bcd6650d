package org.gpuattest.common.message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.gpuattest.common.BadMessageException;

/**
 * The one reader of every message a CLI option names: the base64 text itself, {@code @file},
 * or {@code -} for standard input. A file or stream is read as one message, whatever its
 * words and lines (so a file's content can never become options), and never more than
 * {@link MessageCodec#MAX_TEXT_CHARS} bytes of it: a huge or endless input is refused while it
 * is read, before it is buffered. Errors are one line and never quote the input.
 */
public final class MessageInput {
  /** Bytes read at most: the longest text a message may have, plus one to notice more. */
  static final int LIMIT = MessageCodec.MAX_TEXT_CHARS;

  private MessageInput() {}

  public static String read(String what, String spec, InputStream stdin)
      throws BadMessageException {
    if (spec == null || spec.isEmpty()) {
      throw new BadMessageException(what + ": input is empty");
    }
    if (spec.equals("-")) {
      return nonEmpty(what, "standard input", bounded(what, stdin, false));
    }
    if (spec.startsWith("@")) {
      return nonEmpty(what, "file " + spec.substring(1), file(what, Path.of(spec.substring(1))));
    }
    return spec;
  }

  /**
   * The first line of standard input, without its line end: the form in which a validator
   * that keeps the prover's standard input open sends a message.
   */
  public static String readLine(String what, InputStream stdin) throws BadMessageException {
    return nonEmpty(what, "the first line of standard input", bounded(what, stdin, true));
  }

  private static String file(String what, Path file) throws BadMessageException {
    try {
      if (Files.isDirectory(file)) {
        throw new BadMessageException(what + ": " + file + " is a folder, not a message file");
      }
      long size = Files.size(file);
      if (size > LIMIT) {
        throw new BadMessageException(what + ": file " + file + " is " + size
            + " bytes, over the size limit of any message (" + LIMIT + " bytes)");
      }
      try (InputStream in = Files.newInputStream(file)) {
        return bounded(what, in, false); // bounded again: the file may grow while it is read
      }
    } catch (NoSuchFileException e) {
      throw new BadMessageException(what + ": no such file " + file);
    } catch (IOException e) {
      throw new BadMessageException(what + ": cannot read " + file + ": " + e.getMessage());
    }
  }

  private static String bounded(String what, InputStream in, boolean oneLine)
      throws BadMessageException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      while (true) {
        int n = oneLine ? readUpToLineEnd(in, chunk) : in.read(chunk);
        if (n < 0) {
          break;
        }
        if (buf.size() + (long) n > LIMIT) {
          throw new BadMessageException(what + ": input is over the size limit of any message ("
              + LIMIT + " bytes)");
        }
        if (oneLine && n > 0 && chunk[n - 1] == '\n') {
          buf.write(chunk, 0, n - 1);
          break;
        }
        buf.write(chunk, 0, n);
      }
    } catch (IOException e) {
      throw new BadMessageException(what + ": cannot read input: " + e.getMessage());
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    return oneLine && text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  /** Reads bytes one at a time until a line end, so nothing after the line is consumed. */
  private static int readUpToLineEnd(InputStream in, byte[] chunk) throws IOException {
    int n = 0;
    while (n < chunk.length) {
      int b = in.read();
      if (b < 0) {
        return n == 0 ? -1 : n;
      }
      chunk[n++] = (byte) b;
      if (b == '\n') {
        break;
      }
    }
    return n;
  }

  private static String nonEmpty(String what, String source, String text)
      throws BadMessageException {
    if (text.isBlank()) {
      throw new BadMessageException(what + ": " + source + " is empty");
    }
    return text;
  }
}
