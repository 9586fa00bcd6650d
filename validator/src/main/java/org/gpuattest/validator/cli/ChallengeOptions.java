package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.validator.ChallengeIssuer;
import picocli.CommandLine.Option;

/** The options that shape a challenge, shared by 'challenge' and 'attest'. */
final class ChallengeOptions {
  @Option(names = "--gpus", required = true, paramLabel = "G",
      description = "How many GPUs the prover claims.")
  int gpus;

  @Option(names = "--model", required = true, paramLabel = "NAME",
      description = "The GPU model claimed, as the driver names it (see testdata/gpu-profiles.json).")
  String model;

  @Option(names = "--dim", defaultValue = "" + ChallengeIssuer.DEFAULT_DIM, paramLabel = "n",
      description = "Matrix size n, a multiple of 64 in [64, 16384] (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--iterations", paramLabel = "T",
      description = "Matrix products per GPU.")
  Integer iterations;

  @Option(names = "--seconds", paramLabel = "S",
      description = "Instead of --iterations: about S seconds of work at the model's rate"
          + " (default: " + ChallengeIssuer.DEFAULT_SECONDS + ").")
  Double seconds;

  @Option(names = "--samples", defaultValue = "" + ChallengeIssuer.DEFAULT_SAMPLES,
      paramLabel = "K", description = "Rows to open (default: ${DEFAULT-VALUE}: >= 99%%"
          + " detection of 1%% faked rows).")
  int samples;

  @Option(names = "--ttl", paramLabel = "SECONDS",
      description = "Challenge lifetime (default: the timing window plus 30 s).")
  Long ttl;

  @Option(names = "--key", paramLabel = "FILE",
      description = "Validator Ed25519 private key (PEM) to sign the challenge with.")
  Path key;

  ChallengeIssuer.Request request() throws Exception {
    Ed25519PrivateKey k = null;
    if (key != null) {
      k = Ed25519PrivateKey.fromFile("--key", key);
    }
    if (ttl != null && (ttl < 1 || ttl > 7 * 86_400)) {
      throw new BadMessageException("--ttl must be in [1, 604800] seconds, got " + ttl);
    }
    return new ChallengeIssuer.Request(gpus, model, dim, iterations, seconds, samples,
        ttl == null ? null : Duration.ofSeconds(ttl), k);
  }
}
