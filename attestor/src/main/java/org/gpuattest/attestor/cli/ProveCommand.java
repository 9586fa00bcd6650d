package org.gpuattest.attestor.cli;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.Prover;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.MessageInput;
import org.gpuattest.kernels.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "prove", description = {
    "Run a challenge on G devices and print the signed commitment (base64) on stdout.",
    "Progress goes to stderr. The state needed by 'open' is kept under --state."})
final class ProveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Option(names = "--challenge", required = true, paramLabel = "<B64|@file|->",
      description = "The validator's challenge: base64 text, @file, or - for stdin.")
  String challenge;

  @Option(names = "--backend", paramLabel = "auto|cuda|cpu",
      description = "Compute backend (default: auto).")
  Backends.Choice backend;

  @Option(names = "--devices", split = ",", paramLabel = "LIST",
      description = "Device ordinals to use, e.g. 0,1 (default: the first G).")
  List<Integer> devices = new ArrayList<>();

  @Option(names = "--state", paramLabel = "DIR",
      description = "Prover state folder (default: $GPU_ATTEST_HOME/attestor-state,"
          + " else ~/.gpu-attest/attestor-state).")
  Path state;

  @Option(names = "--key", paramLabel = "FILE",
      description = "Ed25519 private key (PEM) to sign with; see 'attestor keygen'."
          + " Without it a fresh key signs, which a validator cannot pin.")
  Path key;

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    MessageCodec.Decoded<Challenge> decoded = MessageCodec.decode("challenge",
        MessageInput.read("challenge", challenge, parent.in), Challenge.class);
    // Refuse a bad challenge before saying anything else: bad input is one line.
    Prover.checkAcceptable(decoded.value(), Clock.systemUTC().instant());
    Ed25519PrivateKey signingKey = loadKey(key != null ? key : parent.key, err);
    Backends.Choice choice = backend != null ? backend
        : parent.backend != null ? parent.backend : Backends.Choice.AUTO;
    Backend b = Backends.select(choice, err);
    Commitment c = new Prover(b, signingKey, err, Clock.systemUTC())
        .prove(decoded, devices, StateOption.orDefault(state != null ? state : parent.state));
    spec.commandLine().getOut().println(MessageCodec.encode(c));
    return 0;
  }

  static Ed25519PrivateKey loadKey(Path key, java.io.PrintWriter err) throws Exception {
    if (key == null) {
      err.println("attestor: no --key given: signing with a fresh key the validator cannot"
          + " pin (see 'attestor keygen')");
      return Ed25519PrivateKey.generate(new SecureRandom());
    }
    return Ed25519PrivateKey.fromFile("--key", key);
  }
}
