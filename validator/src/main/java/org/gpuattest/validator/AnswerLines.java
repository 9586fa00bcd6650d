package org.gpuattest.validator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gpuattest.common.message.MessageCodec;

/**
 * Reads every line of a prover's standard output in the attest conversation (docs/protocol.md
 * §3.2), each at most {@link MessageCodec#MAX_TEXT_CHARS} bytes, noting the validator's time
 * when it is complete: a commitment's arrival, for the timing checks, is that moment. A line
 * too long to be any message ends the reading (what follows is read and dropped, so the prover
 * never blocks on a full pipe).
 */
final class AnswerLines implements Runnable {
  /** One line and when it was complete; {@code text} null at the end of the output. */
  record Line(String text, Instant at, boolean oversized) {}

  private final InputStream in;
  private final Clock clock;
  private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();

  AnswerLines(InputStream in, Clock clock) {
    this.in = in;
    this.clock = clock;
  }

  @Override
  public void run() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean dropping = false;
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        for (int i = 0; i < n && !dropping; i++) {
          if (buf[i] != '\n') {
            line.write(buf[i]);
            if (line.size() > MessageCodec.MAX_TEXT_CHARS) {
              lines.add(new Line(null, clock.instant(), true));
              dropping = true;
            }
            continue;
          }
          String text = line.toString(StandardCharsets.UTF_8);
          lines.add(new Line(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text,
              clock.instant(), false));
          line.reset();
        }
      }
    } catch (IOException e) {
      // the pipe closed: what was read is what there is
    }
    lines.add(new Line(null, clock.instant(), false));
  }

  /** The next line within {@code millis}; null when none came by then. */
  Line poll(long millis) throws InterruptedException {
    return lines.poll(millis, TimeUnit.MILLISECONDS);
  }
}
