package org.gpuattest.common.message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.util.InputFiles;

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
      return nonEmpty(what, "standard input", bounded(what, stdin));
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
    return nonEmpty(what, "the first line of standard input", firstLine(what, stdin));
  }

  /** The file, as text ({@link InputFiles}): a UTF-8 byte-order mark dropped. */
  private static String file(String what, Path file) throws BadMessageException {
    return InputFiles.readText(what, file, LIMIT, "a message file");
  }

  /** All of {@code in}, refused once it passes {@link #LIMIT}. */
  private static String bounded(String what, InputStream in) throws BadMessageException {
    try {
      byte[] text = in.readNBytes(LIMIT + 1);
      if (text.length > LIMIT) {
        throw tooLarge(what);
      }
      return InputFiles.text(what, "standard input", text);
    } catch (IOException e) {
      throw new BadMessageException(what + ": cannot read input: " + e.getMessage());
    }
  }

  /**
   * {@code in} up to its first line end, which is dropped with a CR before it, refused once it
   * passes {@link #LIMIT}. Read a byte at a time, so nothing after the line is consumed.
   */
  private static String firstLine(String what, InputStream in) throws BadMessageException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (line.size() == LIMIT) {
          throw tooLarge(what);
        }
        line.write(b);
      }
    } catch (IOException e) {
      throw new BadMessageException(what + ": cannot read input: " + e.getMessage());
    }
    String text = line.toString(StandardCharsets.UTF_8);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  private static BadMessageException tooLarge(String what) {
    return new BadMessageException(what + ": input is over the size limit of any message ("
        + LIMIT + " bytes)");
  }

  private static String nonEmpty(String what, String source, String text)
      throws BadMessageException {
    if (text.isBlank()) {
      throw new BadMessageException(what + ": " + source + " is empty");
    }
    return text;
  }
}
