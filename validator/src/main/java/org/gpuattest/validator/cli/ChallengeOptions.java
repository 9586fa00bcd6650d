package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.ChallengeIssuer.Field;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import picocli.CommandLine.Option;

/** The options that shape a challenge, shared by 'challenge' and 'attest'. */
final class ChallengeOptions {
  /** The option that sets each field of a challenge request, for error messages. */
  private static final Map<Field, String> OPTIONS = Map.of(Field.DEVICES, "--gpus",
      Field.MODEL, "--model", Field.DIM, "--dim", Field.ITERATIONS, "--iterations",
      Field.SECONDS, "--seconds", Field.SAMPLES, "--samples", Field.TTL, "--ttl",
      Field.PREPARE, "--prepare-timeout", Field.WEAK_TIMING, "--weak-timing", Field.MEMORY,
      "--no-memory");

  @Option(names = "--gpus", required = true, paramLabel = "G",
      description = "How many GPUs the prover claims.")
  int gpus;

  @Option(names = "--model", required = true, paramLabel = "NAME",
      description = "The GPU model claimed, as the driver names it (see"
          + " testdata/gpu-profiles.json and --profiles).")
  String model;

  @Option(names = "--dim", defaultValue = "" + ChallengeIssuer.DEFAULT_DIM, paramLabel = "n",
      description = "Matrix size n, a multiple of 64 in [64, 16384] (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--iterations", paramLabel = "T",
      description = "Matrix products per GPU (instead of --seconds).")
  Integer iterations;

  @Option(names = "--seconds", paramLabel = "S",
      description = "About S seconds of work at the model's rate, instead of --iterations"
          + " (default: " + ChallengeIssuer.DEFAULT_SECONDS + ").")
  Double seconds;

  @Option(names = "--samples", defaultValue = "" + ChallengeIssuer.DEFAULT_SAMPLES,
      paramLabel = "K", description = "Rows to open (default: ${DEFAULT-VALUE}: >= 99%%"
          + " detection of 1%% faked rows).")
  int samples;

  @Option(names = "--ttl", paramLabel = "SECONDS",
      description = "Challenge lifetime in seconds, at most 604800 (7 days), and at least what"
          + " an honest prover may take: the timing window, and in 'attest' the prover's"
          + " preparation before it (--prepare-timeout) (default: that plus 30 s).")
  Long ttl;

  @Option(names = "--weak-timing",
      description = "Issue a challenge whose timing proves little: one timed from its issue"
          + " (start-up inside the window), or one so small that fixed allowances take over"
          + " 10%% of its window (docs/soundness.md section 7). For demos and tests.")
  boolean weakTiming;

  @Option(names = "--signing-key", paramLabel = "FILE",
      description = "This validator's Ed25519 private key (PEM) to sign the challenge with,"
          + " so provers can check who asks (default: unsigned); 'attest' signs the archived"
          + " exchange with it too.")
  Path signingKey;

  /**
   * Issues the challenge, naming the option at fault when one is refused.
   *
   * @param timedFrom where the command will start the validator's clock
   * @param prepare how long the prover may prepare before the go ({@link
   *     ChallengeIssuer.TimedFrom#GO}); null for the default
   * @param allowCpu a CPU demo: its timing is skipped, so weak timing is no loss
   * @throws BadMessageException an option is out of range or the key file is unusable
   * @throws RuntimeFailureException the verification could not be held in this JVM
   */
  Session issue(Validator v, ChallengeIssuer.TimedFrom timedFrom, Duration prepare,
      boolean allowCpu)
      throws BadMessageException, RuntimeFailureException {
    return issue(v, timedFrom, prepare, allowCpu, false);
  }

  /**
   * As {@link #issue(Validator, ChallengeIssuer.TimedFrom, Duration, boolean)}, asking for the
   * memory phase where {@code memory} (docs/protocol.md section 2.2).
   */
  Session issue(Validator v, ChallengeIssuer.TimedFrom timedFrom, Duration prepare,
      boolean allowCpu, boolean memory)
      throws BadMessageException, RuntimeFailureException {
    Ed25519PrivateKey key = signingKey == null ? null
        : Ed25519PrivateKey.fromFile("--signing-key", signingKey);
    try {
      return v.challenge(ChallengeIssuer.Request.builder().gpus(gpus).model(model).dim(dim)
          .iterations(iterations).seconds(seconds).samples(samples)
          .ttl(ttl == null ? null : Duration.ofSeconds(ttl)).prepare(prepare).signingKey(key)
          .timedFrom(timedFrom).weakTiming(weakTiming || allowCpu).memory(memory).build());
    } catch (ChallengeIssuer.InvalidRequestException e) {
      throw new BadMessageException(OPTIONS.get(e.field()) + ": " + e.detail(OPTIONS::get));
    }
  }
}
