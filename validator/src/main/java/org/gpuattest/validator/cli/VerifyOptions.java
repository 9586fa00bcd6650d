package org.gpuattest.validator.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.Workers;
import org.gpuattest.validator.check.Evidence;
import picocli.CommandLine.Option;

/**
 * The options that decide how strictly to verify, shared by 'verify' and 'attest'. They are
 * checked before anything else happens ({@link #prepare}): a bad pinned key or an unwritable
 * replay store is the validator's own problem and must never surface after a prover's work,
 * let alone as a failed check of the prover.
 */
final class VerifyOptions {
  @Option(names = "--json", description = "Print the verdict as JSON.")
  boolean json;

  @Option(names = "--allow-cpu",
      description = "Accept a cpu-backend commitment (demos, tests); GPU-only checks are skipped.")
  boolean allowCpu;

  @Option(names = "--prover-key", paramLabel = "FILE",
      description = "Pin the prover's Ed25519 public key (PEM, as 'attestor keygen' prints"
          + " it): the commitment must be signed by it.")
  Path proverKey;

  @Option(names = "--replay-dir", paramLabel = "DIR",
      description = "Store of used challenge ids (default: $GPU_ATTEST_HOME/validator/"
          + "used-challenges, else $HOME/.gpu-attest/validator/used-challenges).")
  Path replayDir;

  @Option(names = "--threads", paramLabel = "N",
      description = "Verify up to N devices at once, 1 to " + Workers.MAX_THREADS
          + " (default: all available processors); fewer while the heap cannot hold their"
          + " sampled rows. The verdict is the same for any N.")
  Integer threads;

  /** The checked options; {@code threads} is what verification may use. */
  record Prepared(Evidence.Options options, ReplayStore replay, int threads) {}

  /**
   * @throws IllegalArgumentException --threads is out of range (exit 2)
   * @throws BadMessageException the pinned key file is missing or not a public key (exit 2)
   * @throws RuntimeFailureException the replay store cannot be written (exit 3)
   */
  Prepared prepare() throws BadMessageException, RuntimeFailureException {
    int n = threads != null ? Limits.range("--threads", threads, 1, Workers.MAX_THREADS)
        : Math.min(Runtime.getRuntime().availableProcessors(), Workers.MAX_THREADS);
    Optional<Ed25519PublicKey> pinned = Optional.empty();
    if (proverKey != null) {
      pinned = Optional.of(Ed25519PublicKey.fromFile("--prover-key", proverKey));
    }
    ReplayStore replay = replayDir == null ? ReplayStore.defaultStore()
        : new ReplayStore(replayDir);
    try {
      replay.checkUsable();
    } catch (IOException e) {
      throw new RuntimeFailureException("--replay-dir: " + e.getMessage());
    }
    return new Prepared(new Evidence.Options(allowCpu, pinned), replay, n);
  }
}
