package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.Prover;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.kernels.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "prove", description = {
    "Run a challenge on G devices and print the signed commitment (base64) on stdout.",
    "Progress goes to stderr at least every 2 s. The state that 'open' needs is kept",
    "under --state, which is checked before any work starts. With --conversation,",
    "talk with 'validator attest' over stdin and stdout instead: prepare, ready,",
    "ping, go, commitment, opening request, openings (docs/protocol.md section 3.2)."})
final class ProveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Option(names = "--challenge", paramLabel = "<B64|@file|->",
      description = "The validator's challenge: base64 text, @file, or - for stdin. Its"
          + " timing window includes this prover's start-up.")
  String challenge;

  @Option(names = "--conversation",
      description = "Instead of --challenge: read the validator's lines from stdin and answer"
          + " on stdout, allocating every device before the seed arrives and opening in the"
          + " same process; stdin closing stops the prover (exit 3). 'validator attest'"
          + " passes this.")
  boolean conversation;

  @Option(names = "--backend", paramLabel = "auto|cuda|cpu",
      description = "Compute backend (default: auto).")
  Backends.Choice backend;

  @Option(names = "--devices", split = ",", paramLabel = "ORDINAL",
      description = "Which of this host's devices to use, by ordinal as 'attestor devices'"
          + " lists them, for example 0,1 (default: the first G).")
  List<Integer> devices = new ArrayList<>();

  @Option(names = "--state", paramLabel = "DIR",
      description = "Prover state folder (default: attestor-state in $GPU_ATTEST_HOME, or"
          + " in $HOME/.gpu-attest when that is unset).")
  Path state;

  @Option(names = "--signing-key", paramLabel = "FILE",
      description = "Ed25519 private key (PEM) to sign with; see 'attestor keygen'."
          + " Without it a fresh key signs, which a validator cannot pin.")
  Path signingKey;

  @Mixin WatchStdinOption watchStdin;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (conversation == (challenge != null)) {
      throw new BadMessageException("prove: give either --challenge or --conversation");
    }
    if (conversation) {
      return converse(err);
    }
    MessageCodec.Decoded<Challenge> decoded = MessageCodec.decode("challenge",
        watchStdin.read(parent, "challenge", "--challenge", challenge),
        Challenge.class);
    // Refuse a bad challenge before saying anything else: bad input is one line.
    Prover.checkAcceptable(decoded.value(), Clock.systemUTC().instant());
    Ed25519PrivateKey key = loadKey(signingKey != null ? signingKey : parent.signingKey, err);
    Backend b = Backends.select(parent.backendChoice(backend), err, parent.cuda);
    Path root = StateOption.orDefault(state != null ? state : parent.state);
    Commitment c;
    try (StdinWatch watch = watchStdin.start(parent, err)) {
      c = watch.guard(() -> new Prover(b, key, err, Clock.systemUTC())
          .prove(decoded, ordinals(), root));
    } catch (Prover.DeviceChoiceException e) {
      throw new BadMessageException("--devices: " + e.getMessage());
    }
    spec.commandLine().getOut().println(MessageCodec.encode(c));
    return 0;
  }

  /** The attest conversation (docs/protocol.md §3.2): everything else is checked first. */
  private int converse(PrintWriter err) throws Exception {
    Ed25519PrivateKey key = loadKey(signingKey != null ? signingKey : parent.signingKey, err);
    Path root = StateOption.orDefault(state != null ? state : parent.state);
    try (StdinLines lines = StdinLines.start(parent.in, Thread.currentThread(), err,
        parent.ownsJvm)) {
      Backend b = Backends.select(parent.backendChoice(backend), err, parent.cuda);
      new Conversation(b, key, ordinals(), root, spec.commandLine().getOut(), err).run(lines);
    } catch (Prover.DeviceChoiceException e) {
      throw new BadMessageException("--devices: " + e.getMessage());
    }
    return 0;
  }

  private List<Integer> ordinals() {
    return !devices.isEmpty() || parent.devices == null ? devices : parent.devices;
  }

  static Ed25519PrivateKey loadKey(Path key, PrintWriter err) throws BadMessageException {
    if (key == null) {
      err.println("attestor: no --signing-key given: signing with a fresh key the validator"
          + " cannot pin (see 'attestor keygen')");
      return Ed25519PrivateKey.generate(new SecureRandom());
    }
    return Ed25519PrivateKey.fromFile("--signing-key", key);
  }
}
