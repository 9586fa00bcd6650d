package org.gpuattest.validator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gpuattest.common.message.MessageCodec;

/**
 * Reads a prover's answer: the first line of its standard output, at most
 * {@link MessageCodec#MAX_TEXT_CHARS} bytes, noting the validator's time when the line is
 * complete (its arrival, for the timing checks). Whatever follows is read and dropped, so the
 * prover never blocks on a full pipe.
 */
final class AnswerReader implements Runnable {
  private final InputStream in;
  private final Clock clock;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final CountDownLatch settled = new CountDownLatch(1);
  private volatile Instant completeAt;
  private volatile boolean oversized;
  private volatile boolean completeAtLineEnd;

  AnswerReader(InputStream in, Clock clock) {
    this.in = in;
    this.clock = clock;
  }

  @Override
  public void run() {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (settled.getCount() > 0) {
          take(buf, n);
        }
      }
    } catch (IOException e) {
      // the pipe closed: what was read is what there is
    }
    if (settled.getCount() > 0) {
      completeAt = clock.instant(); // an answer without a line end ends at end of file
      settled.countDown();
    }
  }

  private void take(byte[] buf, int n) {
    for (int i = 0; i < n; i++) {
      if (buf[i] == '\n') {
        line.write(buf, 0, i);
        completeAt = clock.instant();
        completeAtLineEnd = true;
        settled.countDown();
        return;
      }
    }
    line.write(buf, 0, n);
    if (line.size() > MessageCodec.MAX_TEXT_CHARS) {
      oversized = true;
      settled.countDown();
    }
  }

  /**
   * The answer, once the prover has exited: waits at most {@code drain} for the line to be
   * complete.
   *
   * @throws ProverFailure nothing usable was written
   */
  ProverProcess.Answer result(String step, Duration drain) throws ProverFailure {
    try {
      settled.await(drain.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (oversized) {
      throw failure(step, "over " + MessageCodec.MAX_TEXT_CHARS + " characters",
          "wrote more than any message can be (" + MessageCodec.MAX_TEXT_CHARS
              + " characters) without a line end.");
    }
    if (settled.getCount() > 0) {
      throw failure(step, "an unfinished line", "exited without finishing its answer line,"
          + " and its standard output is still held open.");
    }
    String text = line.toString(StandardCharsets.UTF_8);
    text = text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    if (text.isBlank()) {
      throw failure(step, "nothing", completeAtLineEnd
          ? "wrote an empty first line on standard output." : "wrote nothing on standard output.");
    }
    return new ProverProcess.Answer(text, completeAt);
  }

  private static ProverFailure failure(String step, String measured, String what) {
    return new ProverFailure(ProverFailure.OUTPUT, step, measured, "one message line",
        "The prover's '" + step + "' " + what);
  }
}
