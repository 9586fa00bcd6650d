package org.gpuattest.service.store;

import java.time.Duration;
import java.time.Instant;

/**
 * A provider's schedule and latest state.
 *
 * @param active listed in the running fleet (an inactive one keeps its history)
 * @param leaseOwner the instance that holds or last held its lease; null when released
 * @param leaseUntil when that lease lapses unless renewed; null when released
 * @param failuresInARow failed or errored attestations since its last pass
 * @param proverFailures every attestation the prover failed (prover.* and devices.* at ready)
 * @param last its latest finished attestation; null when none
 * @param lastPassAt when it last passed; null when never
 */
public record ProviderStatus(String name, String model, int gpus, Duration interval,
    boolean active, Instant nextDue, String leaseOwner, Instant leaseUntil, int failuresInARow, long passed,
    long failed, long proverFailures, AttestationRow last, Instant lastPassAt) {
  /** The instance attesting it at {@code now}: the lease's holder while it is live. */
  public java.util.Optional<String> holder(Instant now) {
    return leaseOwner != null && leaseUntil != null && !leaseUntil.isBefore(now)
        ? java.util.Optional.of(leaseOwner) : java.util.Optional.empty();
  }
}
