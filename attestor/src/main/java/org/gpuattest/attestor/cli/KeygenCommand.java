package org.gpuattest.attestor.cli;

import java.util.concurrent.Callable;
import org.gpuattest.common.cli.NewKeyPair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "keygen", description = {
    "Create an Ed25519 key pair for this prover to sign its commitments with.",
    "The private key (PEM, mode 0600) goes to --out; the public key (PEM) goes to",
    "stdout, for validators to pin with 'validator verify --prover-key'."},
    exitCodeList = {AttestorCli.EXIT_OK, AttestorCli.EXIT_BAD_INPUT, AttestorCli.EXIT_RUNTIME})
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin NewKeyPair keyPair;

  @Override
  public Integer call() throws Exception {
    return keyPair.create(spec, "attestor");
  }
}
