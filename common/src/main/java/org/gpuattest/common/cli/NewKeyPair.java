package org.gpuattest.common.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What 'attestor keygen' and 'validator keygen' both do, as a picocli mixin: a new Ed25519 key
 * pair, the private key to {@code --out} (PEM, mode 0600, a new file in a folder that exists,
 * see {@link NewFiles}) and the public key (PEM) to standard output, so it can be redirected to
 * a file and handed out. The two commands differ only in their help: whose key it is, and who
 * pins the public half.
 */
public final class NewKeyPair {
  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Where to write the private key, in a folder that exists; never"
          + " overwritten.")
  Path out;

  /**
   * Creates the pair. Standard output gets the public key only; one line on standard error
   * says where the private key went and the public key's key id, the name refusals use
   * for it (docs/protocol.md §6). The private key is never printed.
   *
   * @param tool "attestor" or "validator", for the line on standard error
   * @return the exit code, 0
   * @throws BadMessageException --out exists or its folder does not (exit 2)
   * @throws RuntimeFailureException the key could not be written (exit 3)
   */
  public int create(CommandSpec spec, String tool)
      throws BadMessageException, RuntimeFailureException {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    NewFiles.createPrivate("--out", out, key.toPem().getBytes(StandardCharsets.US_ASCII),
        "refusing to overwrite a key");
    Ed25519PublicKey publicKey = key.publicKey();
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.print(publicKey.toPem());
    stdout.flush();
    spec.commandLine().getErr().println(tool + " keygen: private key written to " + out
        + " (mode 0600); public key id " + publicKey.keyId());
    return 0;
  }
}
