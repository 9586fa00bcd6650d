package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.check.Evidence;
import picocli.CommandLine.Option;

/** The options that decide how strictly to verify, shared by 'verify' and 'attest'. */
final class VerifyOptions {
  @Option(names = "--json", description = "Print the verdict as JSON.")
  boolean json;

  @Option(names = "--allow-cpu",
      description = "Accept a cpu-backend commitment (demos, tests); GPU-only checks are skipped.")
  boolean allowCpu;

  @Option(names = "--prover-key", paramLabel = "FILE",
      description = "Pin the prover's Ed25519 public key (PEM).")
  Path proverKey;

  @Option(names = "--replay-dir", paramLabel = "DIR",
      description = "Store of used challenge ids (default: $GPU_ATTEST_HOME/validator/"
          + "used-challenges, else ~/.gpu-attest/validator/used-challenges).")
  Path replayDir;

  Evidence.Options options() throws Exception {
    Optional<Ed25519PublicKey> pinned = Optional.empty();
    if (proverKey != null) {
      pinned = Optional.of(Ed25519PublicKey.fromFile("--prover-key", proverKey));
    }
    return new Evidence.Options(allowCpu, pinned);
  }

  ReplayStore replay() {
    return replayDir == null ? ReplayStore.defaultStore() : new ReplayStore(replayDir);
  }
}
