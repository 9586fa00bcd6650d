package org.gpuattest.attestor.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.cli.NewFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "keygen", description = {
    "Create an Ed25519 key pair for this prover to sign its commitments with.",
    "The private key (PEM, mode 0600) goes to --out; the public key (PEM) goes to",
    "stdout, for validators to pin with 'validator verify --prover-key'."})
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Where to write the private key, in a folder that exists; never"
          + " overwritten.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    NewFiles.createPrivate("--out", out, key.toPem().getBytes(StandardCharsets.US_ASCII),
        "refusing to overwrite a key");
    spec.commandLine().getOut().print(key.publicKey().toPem());
    return 0;
  }
}
