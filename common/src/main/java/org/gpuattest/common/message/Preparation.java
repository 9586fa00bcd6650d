package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import org.gpuattest.common.Limits;
import org.gpuattest.common.util.Hex;

/**
 * The first message of the attest conversation (docs/protocol.md §3.2): the challenge without
 * its seed, so a prover can do everything that does not need the seed (open its backend,
 * allocate on every device) before the validator's clock starts. Unsigned: the signed
 * challenge follows at {@code go}, and the prover checks that it matches this one field by
 * field.
 */
public record Preparation(
    @JsonProperty(required = true) int version,
    String challengeId,
    @JsonProperty(required = true) int dim,
    @JsonProperty(required = true) int iterations,
    @JsonProperty(required = true) int devices,
    String model,
    String expiresAt,
    ChallengeMemory memory) {
  public Preparation {
    Limits.version("preparation", version);
    Hex.decode("challengeId", challengeId, Challenge.ID_BYTES);
    Limits.work(dim, iterations, devices);
    Limits.text("model", model);
    Challenge.instant("expiresAt", expiresAt);
    if (memory != null) {
      memory.checkWithin(iterations, devices);
    }
  }

  /** A preparation without a memory phase, as before it existed. */
  public Preparation(int version, String challengeId, int dim, int iterations, int devices,
      String model, String expiresAt) {
    this(version, challengeId, dim, iterations, devices, model, expiresAt, null);
  }

  /**
   * The preparation for an issued challenge: every field the prover may know before go, the
   * memory terms included, so that it can refuse a kept set it cannot hold before it says
   * ready (docs/protocol.md §3.2).
   */
  public static Preparation of(Challenge c) {
    return new Preparation(1, c.id(), c.dim(), c.iterations(), c.devices(), c.model(),
        c.expiresAt(), c.memory());
  }

  @JsonIgnore
  public Instant expires() {
    return Instant.parse(expiresAt);
  }

  /**
   * Where {@code c}, the challenge sent at go, differs from this preparation; null when it is
   * the prepared challenge.
   */
  public String differenceFrom(Challenge c) {
    if (!challengeId.equalsIgnoreCase(c.id())) {
      return "its id " + c.id() + " is not the prepared " + challengeId;
    }
    if (dim != c.dim() || iterations != c.iterations() || devices != c.devices()) {
      return "it asks n=" + c.dim() + ", T=" + c.iterations() + ", G=" + c.devices()
          + " where n=" + dim + ", T=" + iterations + ", G=" + devices + " were prepared";
    }
    if (!model.equals(c.model())) {
      return "its model is not the prepared one";
    }
    if (!expires().equals(c.expires())) {
      return "it expires at " + c.expiresAt() + ", not at the prepared " + expiresAt;
    }
    if (!java.util.Objects.equals(memory, c.memory())) {
      return "its memory terms (" + ChallengeMemory.describe(c.memory())
          + ") are not the prepared (" + ChallengeMemory.describe(memory) + ")";
    }
    return null;
  }
}
