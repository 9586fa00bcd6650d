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
import org.gpuattest.attestor.TrustedValidators;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.cuda.ForcedKernelException;
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
    "ping, go, commitment, opening request, openings (docs/protocol.md section 3.2)."},
    exitCodeList = {AttestorCli.EXIT_OK, AttestorCli.EXIT_BAD_INPUT, AttestorCli.EXIT_RUNTIME})
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

  @Option(names = "--validator-key", paramLabel = "FILE",
      description = "Answer only challenges signed by this validator's Ed25519 public key"
          + " (PEM, as 'validator keygen' prints it); repeat for several validators. Replaces"
          + " the config file's validatorKeys. Without any, every validator is answered.")
  List<Path> validatorKeys = new ArrayList<>();

  @Mixin WatchStdinOption watchStdin;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (conversation == (challenge != null)) {
      throw new BadMessageException("prove: give either --challenge or --conversation");
    }
    // The settings and the trusted keys first: a bad file is refused before anything else.
    ProverSettings settings = ProverSettings.resolve(parent, new ProverSettings.Own(signingKey,
        state, backend, devices, validatorKeys));
    TrustedValidators trusted = settings.trustedValidators();
    if (conversation) {
      return converse(settings, trusted, err);
    }
    MessageCodec.Decoded<Challenge> decoded = MessageCodec.decode("challenge",
        watchStdin.read(parent, "challenge", "--challenge", challenge),
        Challenge.class);
    // Refuse a bad challenge before saying anything else: bad input is one line.
    trusted.check(decoded.value());
    Prover.checkAcceptable(decoded.value(), Clock.systemUTC().instant());
    Prover.refuseMemoryPhase(decoded.value());
    Ed25519PrivateKey key = loadKey(settings, err);
    Backend b = settings.backend(err, parent.cuda);
    Commitment c;
    try (StdinWatch watch = watchStdin.start(parent, err)) {
      c = watch.guard(() -> new Prover(b, key, err, Clock.systemUTC()).trusting(trusted)
          .prove(decoded, settings.devices(), settings.state()));
    } catch (Prover.DeviceChoiceException e) {
      throw settings.refusal(e);
    } catch (ForcedKernelException e) {
      throw settings.refusal(e);
    }
    spec.commandLine().getOut().println(MessageCodec.encode(c));
    ProverSettings.noteAnyValidator(trusted, err); // after the work: an error stays one line
    return 0;
  }

  /** The attest conversation (docs/protocol.md §3.2): everything else is checked first. */
  private int converse(ProverSettings settings, TrustedValidators trusted, PrintWriter err)
      throws Exception {
    Ed25519PrivateKey key = loadKey(settings, err);
    try (StdinLines lines = StdinLines.start(parent.in, Thread.currentThread(), err,
        parent.ownsJvm)) {
      Backend b = settings.backend(err, parent.cuda);
      new Conversation(b, key, trusted, settings.devices(), settings.state(),
          spec.commandLine().getOut(), err).run(lines);
    } catch (Prover.DeviceChoiceException e) {
      throw settings.refusal(e);
    } catch (ForcedKernelException e) {
      throw settings.refusal(e);
    }
    return 0;
  }

  static Ed25519PrivateKey loadKey(ProverSettings settings, PrintWriter err)
      throws BadMessageException {
    Path key = settings.signingKey();
    if (key == null) {
      err.println("attestor: no --signing-key given: signing with a fresh key the validator"
          + " cannot pin (see 'attestor keygen')");
      return Ed25519PrivateKey.generate(new SecureRandom());
    }
    return Ed25519PrivateKey.fromFile(settings.signingKeySource(), key);
  }
}
