package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;
import org.gpuattest.attestor.Opener;
import org.gpuattest.attestor.PreparedRun;
import org.gpuattest.attestor.ProgressReporter;
import org.gpuattest.attestor.Prover;
import org.gpuattest.attestor.TrustedValidators;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Ready;
import org.gpuattest.common.util.Printable;
import org.gpuattest.kernels.Backend;

/**
 * The prover's side of the attest conversation (docs/protocol.md §3.2), one line each way at a
 * time over standard input and output, from preparation to openings in one process:
 *
 * <pre>
 *   validator: prepare BASE64(Preparation)   prover: ready BASE64(Ready)   (allocated)
 *   validator: ping HEX                      prover: pong HEX              (any number)
 *   validator: go BASE64(Challenge)          prover: BASE64(Commitment)    (the timed work)
 *   validator: memory BASE64(MemorySeed)     prover: BASE64(MemoryRoots)   (memory phase only)
 *   validator: BASE64(OpeningRequest)        prover: BASE64(Openings)      then exit 0
 * </pre>
 *
 * Any other line is bad input (exit 2, one line); standard input closing at any point stops
 * the prover (exit 3), as {@code --watch-stdin} does for one message.
 */
final class Conversation {
  static final String PREPARE = "prepare";
  static final String READY = "ready";
  static final String PING = "ping";
  static final String PONG = "pong";
  static final String GO = "go";
  static final String MEMORY = "memory";
  /** A ping's nonce: 1 to 64 hex digits, echoed as is. */
  private static final Pattern NONCE = Pattern.compile("[0-9a-fA-F]{1,64}");

  private final Prover prover;
  private final TrustedValidators trusted;
  private final Backend backend;
  private final List<Integer> ordinals;
  private final Path stateRoot;
  private final PrintWriter out;
  private final PrintWriter err;

  /** @param trusted whose challenges to answer, checked at 'go' before the timed work */
  Conversation(Backend backend, Ed25519PrivateKey key, TrustedValidators trusted,
      List<Integer> ordinals, Path stateRoot, PrintWriter out, PrintWriter err) {
    this.prover = new Prover(backend, key, err, Clock.systemUTC()).trusting(trusted);
    this.trusted = trusted;
    this.backend = backend;
    this.ordinals = ordinals;
    this.stateRoot = stateRoot;
    this.out = out;
    this.err = err;
  }

  /** Runs the whole conversation over {@code in}'s lines. */
  void run(StdinLines in) throws Exception {
    Preparation p = MessageCodec.decode("prepare", payload(in.next("'prepare'"), PREPARE),
        Preparation.class).value();
    try (PreparedRun run = guard(in, () -> prover.prepare(p, ordinals, stateRoot, true))) {
      guard(in, run::warmUp); // every piece of CPU work after go, run once off the clock
      // The backend and names let the validator refuse a CPU or another model before the
      // seed leaves (docs/protocol.md §4.7); the signed commitment repeats them.
      send(READY + " " + MessageCodec.encode(Ready.of(p.challengeId(), run.backendName(),
          run.deviceNames())));
      err.println("attestor: ready: " + run.deviceCount() + " device(s) allocated; waiting for"
          + " the seed");
      err.flush();
      String line = in.next("'ping' or 'go'");
      while (keyword(line).equals(PING)) {
        String nonce = payload(line, PING);
        if (!NONCE.matcher(nonce).matches()) {
          throw new BadMessageException("ping: the nonce must be 1 to 64 hex digits");
        }
        send(PONG + " " + nonce);
        line = in.next("'ping' or 'go'");
      }
      MessageCodec.Decoded<Challenge> challenge = run.decode(payload(line, GO));
      // PreparedRun.run refuses an untrusted challenge before the timed work (§6); the note
      // that any validator is answered comes here, where the challenge is first seen.
      ProverSettings.noteAnyValidator(trusted, err);
      Commitment c = guard(in, () -> run.run(challenge));
      send(PreparedRun.encode(c));
      if (run.awaitsMemory()) {
        // The memory seed follows the commitment; its clock runs to the memory roots (§3.2).
        String seed = payload(in.next("'memory'"), MEMORY);
        send(PreparedRun.encode(guard(in, () -> run.memory(seed))));
      }
      // Only now, each answer sent: freeing G GPUs (contexts, kept products) takes time that
      // is no part of the timed work and must not stop the validator's clock late.
      run.close();
      OpeningRequest r = MessageCodec.decode("request", in.next("the opening request"),
          OpeningRequest.class).value();
      Openings o = guard(in, () -> new Opener(backend, err, ProgressReporter.EVERY)
          .open(r, run.state()));
      send(MessageCodec.encode(o));
    }
  }

  private void send(String line) {
    out.println(line);
    out.flush();
  }

  /** The line's payload after {@code keyword} and one space; bad input for any other line. */
  static String payload(String line, String keyword) throws BadMessageException {
    String got = keyword(line);
    if (!got.equals(keyword)) {
      throw new BadMessageException("conversation: expected '" + keyword + " ...', got "
          + describe(line, got));
    }
    return line.substring(keyword.length() + 1);
  }

  /** The first word of a line that has a space after it; "" for a bare line. */
  private static String keyword(String line) {
    int space = line.indexOf(' ');
    return space < 0 ? "" : line.substring(0, space);
  }

  /** What a wrong line is, without echoing a payload (it may be long, or not text). */
  private static String describe(String line, String keyword) {
    if (line.isBlank()) {
      return "an empty line";
    }
    if (keyword.isEmpty()) {
      return "a line without a keyword (an old single-message challenge goes to 'attestor"
          + " prove --challenge -' instead)";
    }
    String shown = keyword.length() > 20 ? keyword.substring(0, 20) + "..." : keyword;
    return "'" + Printable.escape(shown) + " ...'";
  }

  /** Runs work the closing of standard input may stop; then says so, not what broke. */
  private static <T> T guard(StdinLines in, StdinWatch.Work<T> work) throws Exception {
    try {
      return work.run();
    } catch (Exception e) {
      if (in.closed()) {
        throw new RuntimeFailureException("stopped: standard input closed, so the validator"
            + " has gone away");
      }
      throw e;
    }
  }
}
