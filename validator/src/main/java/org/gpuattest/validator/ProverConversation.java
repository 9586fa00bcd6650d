package org.gpuattest.validator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.message.MessageCodec;

/**
 * The validator's end of the attest conversation (docs/protocol.md §3.2): one prover process,
 * "CMD prove --conversation" through /bin/sh, from preparation to openings. Lines go to its
 * standard input from a writer thread (a prover that stops reading cannot stall the
 * validator), and standard input stays open until the conversation ends: it is the prover's
 * lifeline, as for {@link ProverProcess}. Each answer is a line of its standard output
 * ({@link AnswerLines}), begun after the validator's line it answers: one the validator has
 * read before it sent that line (a commitment before 'go') is refused; at most one line is
 * kept however much the prover writes.
 * Its standard error is passed through marked {@code prover:}. The whole
 * process tree is stopped when the conversation ends, at a deadline, or when this JVM is
 * stopped by a signal. What the prover does wrong is a {@link ProverFailure} naming the step:
 * prepare, ready, go or open.
 */
public final class ProverConversation implements AutoCloseable {
  /** The words appended to the prover command. */
  public static final List<String> WORDS = List.of("prove", "--conversation");

  private final ProcessTree tree;
  private final AnswerLines answers;
  private final BlockingQueue<String> outgoing = new LinkedBlockingQueue<>();
  /** Lines sent so far, counted before each is queued: an answer begins after its line. */
  private final AtomicLong sent = new AtomicLong();

  private ProverConversation(ProcessTree tree, InputStream stdout, Clock clock) {
    this.tree = tree;
    this.answers = new AnswerLines(stdout, clock, sent::get);
  }

  /**
   * Starts the prover.
   *
   * @throws RuntimeFailureException the shell could not be started
   */
  public static ProverConversation start(String command, PrintWriter err, Clock clock)
      throws RuntimeFailureException {
    return start(command, err, clock, false);
  }

  /**
   * Starts the prover for an unattended caller (a service): in a session of its own, where
   * setsid(1) is there, so that a signal to the caller's process group (Ctrl-C, timeout(1))
   * reaches the caller alone, which stops the prover itself and does not judge it for that
   * ({@link #validatorStopping}). Such a prover has no terminal to prompt on.
   *
   * @throws RuntimeFailureException the shell could not be started
   */
  public static ProverConversation startUnattended(String command, PrintWriter err,
      Clock clock) throws RuntimeFailureException {
    return start(command, err, clock, true);
  }

  private static ProverConversation start(String command, PrintWriter err, Clock clock,
      boolean ownSession) throws RuntimeFailureException {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("the prover command is empty");
    }
    ProcessTree tree = ProcessTree.startProver(command, WORDS, ownSession);
    Process p = tree.root();
    ProverConversation c = new ProverConversation(tree, p.getInputStream(), clock);
    ProverProcess.daemon("prover-stderr", () -> ProverProcess.passThrough(p.getErrorStream(),
        err));
    ProverProcess.daemon("prover-stdout", c.answers);
    ProverProcess.daemon("prover-stdin", () -> c.write(p.getOutputStream()));
    return c;
  }

  /**
   * Whether this JVM is stopping and has stopped, or is stopping, every prover it ran: a prover
   * that failed now was most likely stopped with it, and a caller that outlives the moment (a
   * service's graceful stop) records the attempt as interrupted on its own side, never as the
   * prover's failure.
   */
  public static boolean validatorStopping() {
    return ProcessTree.stopping();
  }

  /** Queues one line for the prover's standard input. */
  public void send(String line) {
    sent.incrementAndGet();
    outgoing.add(line);
  }

  /** Writes queued lines in order and keeps the stream open: the prover's lifeline. */
  private void write(OutputStream in) {
    try {
      while (true) {
        String line = outgoing.take();
        in.write(line.getBytes(StandardCharsets.US_ASCII));
        in.write('\n');
        in.flush();
      }
    } catch (IOException | InterruptedException e) {
      // The prover closed its input or exited; its exit code and output say why.
    }
  }

  /**
   * The prover's next line, within {@code timeout}.
   *
   * @param step the step waiting, for the failure: prepare, ready, go or open
   * @throws ProverFailure it exited with an error, ended its output, wrote a line too long or
   *     empty, or overran the deadline (then it is stopped)
   */
  public ProverProcess.Answer next(String step, Duration timeout) throws ProverFailure {
    try {
      return await(step, timeout);
    } catch (ProverFailure f) {
      ProcessTree.parkIfStopping(); // stopped with the validator: not the prover's failure
      throw f;
    }
  }

  private ProverProcess.Answer await(String step, Duration timeout) throws ProverFailure {
    long deadline = System.nanoTime() + Math.max(1, timeout.toNanos());
    try {
      while (true) {
        AnswerLines.Line line = answers.poll(100);
        if (line != null) {
          return answer(step, line);
        }
        tree.noteChildren();
        if (!tree.root().isAlive() && tree.root().exitValue() != 0) {
          throw exited(step, tree.root().exitValue());
        }
        if (System.nanoTime() - deadline >= 0) {
          tree.stop();
          throw ProverFailure.timedOut(step, timeout, "answer");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProverFailure.interrupted(step);
    }
  }

  private ProverProcess.Answer answer(String step, AnswerLines.Line line) throws ProverFailure {
    switch (line.kind()) {
      case OVERSIZED -> throw output(step, "over " + MessageCodec.MAX_TEXT_CHARS
          + " characters", "wrote more than any message can be without a line end.");
      case END -> {
        int code = exitCode();
        if (code != 0) {
          throw exited(step, code);
        }
        throw output(step, "nothing", "ended its output without answering.");
      }
      case EXTRA -> throw early(step);
      case LINE -> {
        // A line begun before the validator wrote anything is judged by what it says: it is
        // usually a login banner, which the ready check names (ReadyGo).
        if (line.sentBefore() > 0 && line.sentBefore() < sent.get()) {
          throw early(step);
        }
      }
    }
    if (line.text().isBlank()) {
      throw output(step, "nothing", "wrote an empty line.");
    }
    return new ProverProcess.Answer(line.text(), line.at());
  }

  /**
   * A line begun before the validator's line it would answer: a commitment written before
   * 'go' (so before the clock started), or more than one line for one question (§3.2).
   */
  private static ProverFailure early(String step) {
    return new ProverFailure(ProverFailure.OUTPUT, step, "a line before it was asked",
        "one line after each of the validator's", "The prover's '" + step + "' answer"
            + " began before the validator's line it answers was sent (an answer to nothing,"
            + " or a commitment written before 'go'); the prover answers each line once,"
            + " after it.");
  }

  /** The exit code once the process has ended (within the drain time), else 0. */
  private int exitCode() {
    try {
      if (tree.root().waitFor(ProverProcess.DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
        return tree.root().exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * After the last answer: the prover must exit 0 within the drain time.
   *
   * @throws ProverFailure it exited with an error
   */
  public void finish(String step) throws ProverFailure {
    int code = exitCode();
    if (code != 0) {
      throw exited(step, code);
    }
  }

  static ProverFailure output(String step, String measured, String what) {
    return new ProverFailure(ProverFailure.OUTPUT, step, measured, "one message line",
        "The prover's '" + step + "' " + what);
  }

  private static ProverFailure exited(String step, int code) {
    return new ProverFailure(ProverFailure.EXIT, step, "exit code " + code, "exit code 0",
        "The prover exited with code " + code + ProverProcess.hint(code) + " at '" + step
            + "'; its standard error, marked 'prover:', says why.");
  }

  /** How many of the prover's lines are kept, waiting to be taken: never more than one. */
  int keptLines() {
    return answers.kept();
  }

  /** How many lines the prover has written so far, kept or not. */
  long linesRead() {
    return answers.linesRead();
  }

  /** Stops everything the prover started and ends its lifeline. */
  @Override
  public void close() {
    tree.stopAndForget();
  }
}
