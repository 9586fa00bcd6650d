package org.gpuattest.validator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.gpuattest.common.message.MessageCodec;

/**
 * Reads every line of a prover's standard output in the attest conversation (docs/protocol.md
 * §3.2), each at most {@link MessageCodec#MAX_TEXT_CHARS} bytes, noting the validator's time
 * when it is complete: a commitment's arrival, for the timing checks, is that moment. Each
 * line also notes how many lines the validator had sent when it began, so an answer written
 * before its question (a commitment before 'go') is told apart.
 *
 * <p>The prover answers one line per line it is sent, so at most one answer is ever waiting:
 * one line is kept until it is taken, and a line that begins while one waits is an answer to
 * nothing; only the fact is kept ({@link Kind#EXTRA}, once until taken), never its text. What the prover writes
 * therefore costs at most one line of memory however much it writes (a prover flooding its
 * output after its openings must not run the validator out of heap), and is still read, so the
 * prover never blocks on a full pipe. A line too long to be any message ends the reading the
 * same way (what follows is read and dropped).
 */
final class AnswerLines implements Runnable {
  /** What the reader saw: a line, a line begun while another waited, or the end. */
  enum Kind { LINE, EXTRA, OVERSIZED, END }

  /**
   * One line and when it was complete; {@code sentBefore} is how many lines the validator had
   * sent when its first byte arrived. Text only for {@link Kind#LINE}.
   */
  record Line(Kind kind, String text, Instant at, long sentBefore) {}

  /** A buffer grown past this for one long line is let go rather than kept for the next. */
  private static final int KEPT_BUFFER = 64 << 10;

  private final InputStream in;
  private final Clock clock;
  private final LongSupplier sent;
  /** Guarded by this: the line waiting to be taken, the first extra one, and the end. */
  private Line waiting;
  private Line extra;
  private Line end;
  private volatile long linesRead;

  /** @param sent how many lines the validator has sent so far */
  AnswerLines(InputStream in, Clock clock, LongSupplier sent) {
    this.in = in;
    this.clock = clock;
    this.sent = sent;
  }

  @Override
  public void run() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean inLine = false;
    boolean keeping = true; // false: this line began while another waited; only its end counts
    long sentBefore = 0;
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        // Counted once the bytes are in, never before the read: an answer to a line sent while
        // the read waited must not count as begun before it.
        long sentNow = sent.getAsLong();
        // Bytes read together were written before the validator could take the first line
        // they end, so a line begun after it in the same read answers nothing.
        boolean endedHere = false;
        for (int i = 0; i < n; i++) {
          if (!inLine) {
            inLine = true;
            sentBefore = sentNow;
            keeping = !endedHere && !busy();
          }
          if (buf[i] != '\n') {
            if (keeping) {
              line.write(buf[i]);
              if (line.size() > MessageCodec.MAX_TEXT_CHARS) {
                ended(new Line(Kind.OVERSIZED, null, clock.instant(), sentBefore));
                drain(buf);
                return;
              }
            }
            continue;
          }
          inLine = false;
          endedHere = true;
          linesRead++; // only this thread writes it
          if (keeping) {
            String text = line.toString(StandardCharsets.UTF_8);
            offer(new Line(Kind.LINE, text.endsWith("\r") ? text.substring(0,
                text.length() - 1) : text, clock.instant(), sentBefore));
            line = line.size() > KEPT_BUFFER ? new ByteArrayOutputStream() : line;
            line.reset();
          } else {
            offer(new Line(Kind.EXTRA, null, clock.instant(), sentBefore));
          }
        }
      }
    } catch (IOException e) {
      // the pipe closed: what was read is what there is
    }
    ended(new Line(Kind.END, null, clock.instant(), sent.getAsLong()));
  }

  /** Reads the rest of the output and drops it. */
  private void drain(byte[] buf) {
    try {
      while (in.read(buf) >= 0) {
        // dropped: nothing after a line too long for any message is read as an answer
      }
    } catch (IOException e) {
      // the pipe closed
    }
  }

  /**
   * Whether a line, or an extra line's mark, waits to be taken. A line that begins then is not
   * kept: it cannot answer anything, and the mark comes before it, in the order read.
   */
  private synchronized boolean busy() {
    return waiting != null || extra != null;
  }

  private synchronized void offer(Line l) {
    if (l.kind() == Kind.LINE) {
      waiting = l; // only a line begun when nothing waited is offered with its text
    } else if (extra == null) {
      extra = l;
    }
    notifyAll();
  }

  private synchronized void ended(Line l) {
    end = l;
    notifyAll();
  }

  /**
   * The next thing read within {@code millis}: the waiting line, then an extra line's mark,
   * then the end (which stays); null when none came by then.
   */
  synchronized Line poll(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (waiting == null && extra == null && end == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    Line l = waiting != null ? waiting : extra != null ? extra : end;
    if (l == waiting) {
      waiting = null;
    } else if (l == extra) {
      extra = null;
    }
    return l;
  }

  /** How many complete lines have been read, kept or not. */
  long linesRead() {
    return linesRead;
  }

  /** How many lines are kept with their text: 0 or 1, whatever the prover writes. */
  synchronized int kept() {
    return waiting == null ? 0 : 1;
  }
}
