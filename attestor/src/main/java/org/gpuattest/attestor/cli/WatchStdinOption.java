package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.message.MessageInput;
import picocli.CommandLine.Option;

/**
 * {@code --watch-stdin}, shared by 'prove' and 'open': how the message is read and whether the
 * rest of standard input is watched as the validator's lifeline ({@link StdinWatch}).
 */
final class WatchStdinOption {
  @Option(names = "--watch-stdin",
      description = "Read the message as the first line of stdin (give - as the message) and"
          + " keep watching stdin: when it closes, the validator has gone, so stop and exit 3."
          + " 'validator attest' passes this.")
  boolean watch;

  /** Reads the message as {@link MessageInput} does, or as the first line of stdin. */
  String read(AttestorCli parent, String what, String option, String spec)
      throws BadMessageException {
    if (!watch) {
      return MessageInput.read(what, spec, parent.in);
    }
    if (!"-".equals(spec)) {
      throw new BadMessageException("--watch-stdin: the message must come from standard input ("
          + option + " -)");
    }
    return MessageInput.readLine(what, parent.in);
  }

  /** Starts watching for the work on the calling thread, or watches nothing. */
  StdinWatch start(AttestorCli parent, PrintWriter err) {
    return watch ? StdinWatch.start(parent.in, Thread.currentThread(), err, parent.ownsJvm)
        : StdinWatch.none();
  }
}
