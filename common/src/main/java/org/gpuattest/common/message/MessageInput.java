package org.gpuattest.common.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.gpuattest.common.BadMessageException;

/**
 * Where a CLI option's message comes from: the base64 text itself, {@code @file}, or {@code -}
 * for standard input. Reads at most {@link MessageCodec#MAX_TEXT_CHARS} characters, so an
 * endless or huge input is refused rather than buffered.
 */
public final class MessageInput {
  private MessageInput() {}

  public static String read(String what, String spec, InputStream stdin)
      throws BadMessageException {
    if (spec == null || spec.isEmpty()) {
      throw new BadMessageException(what + ": empty input");
    }
    if (spec.equals("-")) {
      return bounded(what, new InputStreamReader(stdin, StandardCharsets.UTF_8));
    }
    if (spec.startsWith("@")) {
      Path file = Path.of(spec.substring(1));
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        return bounded(what, r);
      } catch (NoSuchFileException e) {
        throw new BadMessageException(what + ": no such file " + file);
      } catch (IOException e) {
        throw new BadMessageException(what + ": cannot read " + file + ": " + e.getMessage());
      }
    }
    return spec;
  }

  private static String bounded(String what, Reader r) throws BadMessageException {
    StringBuilder sb = new StringBuilder();
    char[] buf = new char[8192];
    try {
      int n;
      while ((n = r.read(buf)) > 0) {
        if (sb.length() + n > MessageCodec.MAX_TEXT_CHARS) {
          throw new BadMessageException(what + ": input is larger than the message limit");
        }
        sb.append(buf, 0, n);
      }
    } catch (IOException e) {
      throw new BadMessageException(what + ": cannot read input: " + e.getMessage());
    }
    return sb.toString();
  }
}
