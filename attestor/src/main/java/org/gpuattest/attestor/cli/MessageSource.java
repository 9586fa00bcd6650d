package org.gpuattest.attestor.cli;

import java.io.InputStream;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.MessageInput;

/**
 * How 'prove' and 'open' read their message: as {@link MessageInput} does, or, with
 * {@code --watch-stdin}, as the first line of standard input, whose end afterwards means the
 * validator has gone ({@link StdinWatch}).
 */
final class MessageSource {
  private MessageSource() {}

  static String read(String what, String option, String spec, boolean watch, InputStream in)
      throws BadMessageException {
    if (!watch) {
      return MessageInput.read(what, spec, in);
    }
    if (!"-".equals(spec)) {
      throw new BadMessageException("--watch-stdin: the message must come from standard input ("
          + option + " -)");
    }
    return MessageInput.readLine(what, in);
  }
}
