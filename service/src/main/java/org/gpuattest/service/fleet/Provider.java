package org.gpuattest.service.fleet;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.validator.ChallengeIssuer;

/**
 * One provider of a checked fleet ({@link FleetFile}): its name (the archive's provider label),
 * the prover command, what each challenge asks for (a request 'validator attest' would issue:
 * the fleet file is refused otherwise), the rules it is verified by, and how often.
 *
 * @param challenge gpus, model, dim, iterations or seconds, samples: the request's fields,
 *     without the signing key or the preparation time, which the service adds
 * @param prepareTimeout how long the prover may take from 'prepare' to 'ready'
 * @param interval how long from one attestation's end to the next one's start, before jitter
 * @param memory ask for the memory phase (docs/protocol.md section 2.2) where the model's
 *     profile has its figures, as 'validator attest' does unless given --no-memory
 */
public record Provider(String name, String prover, Challenge challenge,
    Optional<Ed25519PublicKey> proverKey, Duration interval, Duration prepareTimeout,
    boolean allowCpu, boolean weakTiming, boolean memory) {
  /** What one challenge asks for. {@code iterations} and {@code seconds}: at most one set. */
  public record Challenge(int gpus, String model, int dim, Integer iterations, Double seconds,
      int samples) {
    public Challenge {
      Objects.requireNonNull(model, "model");
    }

    /** The request, as 'validator attest' makes it from the same options. */
    public ChallengeIssuer.Builder request() {
      return ChallengeIssuer.Request.builder().gpus(gpus).model(model).dim(dim)
          .iterations(iterations).seconds(seconds).samples(samples)
          .timedFrom(ChallengeIssuer.TimedFrom.GO);
    }
  }

  public Provider {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(prover, "prover");
    Objects.requireNonNull(challenge, "challenge");
    Objects.requireNonNull(proverKey, "proverKey");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(prepareTimeout, "prepareTimeout");
  }

  /**
   * The request of each of its challenges, as 'validator attest' makes it from the same
   * options: the conversation's timing (from the go), the preparation time, weak timing where
   * allowed, and the memory phase unless turned off; the caller adds the signing key.
   */
  public ChallengeIssuer.Builder request() {
    return challenge.request().prepare(prepareTimeout).weakTiming(weakTiming || allowCpu)
        .memory(memory);
  }
}
