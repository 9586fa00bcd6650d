package org.gpuattest.validator.cli;

import java.util.concurrent.Callable;
import org.gpuattest.common.cli.NewKeyPair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "keygen", description = {
    "Create an Ed25519 key pair for this validator to sign its challenges with.",
    "The private key (PEM, mode 0600) goes to --out, for 'validator attest' and",
    "'validator challenge --signing-key'; the public key (PEM) goes to stdout, for",
    "provers to trust with 'attestor --validator-key' (docs/protocol.md section 6)."},
    exitCodeList = {ValidatorCli.EXIT_OK, ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin NewKeyPair keyPair;

  @Override
  public Integer call() throws Exception {
    return keyPair.create(spec, "validator");
  }
}
