package org.gpuattest.attestor.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "keygen", description = {
    "Create an Ed25519 key pair: the private key (PEM, mode 0600) goes to --out,",
    "the public key (PEM) to stdout, for validators to pin."})
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Where to write the private key; never overwritten.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    try {
      AtomicFiles.createAtomically(out, key.toPem().getBytes(StandardCharsets.US_ASCII), true);
    } catch (FileAlreadyExistsException e) {
      throw new BadMessageException("--out: " + out + " exists; refusing to overwrite a key");
    }
    spec.commandLine().getOut().print(key.publicKey().toPem());
    return 0;
  }
}
