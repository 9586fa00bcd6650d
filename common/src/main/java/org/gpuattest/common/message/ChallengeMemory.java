package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.gpuattest.common.Limits;

/**
 * The memory phase a challenge asks for (docs/protocol.md §2.2, §4.1): keep the products of the
 * last {@code kept} iterations, t = T - kept .. T - 1, on each device after computing them, and
 * once the memory seed arrives run {@code passes} passes over them. Versioned on its own: a
 * prover that does not know this version refuses the challenge as bad input before any work.
 */
public record ChallengeMemory(
    @JsonProperty(required = true) int version,
    @JsonProperty(required = true) int kept,
    @JsonProperty(required = true) int passes) {
  public ChallengeMemory {
    Limits.version("challenge's memory", version);
    Limits.range("memory.kept", kept, 1, Limits.MAX_ITERATIONS);
    Limits.range("memory.passes", passes, 1, Limits.MAX_PASSES);
  }

  /** Refuses terms a challenge of T iterations on G devices cannot carry (§9). */
  public void checkWithin(int iterations, int devices) {
    if (kept > iterations) {
      throw new IllegalArgumentException("memory.kept must be at most iterations ("
          + iterations + "), got " + kept);
    }
    long vectors = (long) devices * kept * passes;
    if (vectors > Limits.MAX_MEMORY_VECTORS) {
      throw new IllegalArgumentException("devices x memory.kept x memory.passes must be at most "
          + Limits.MAX_MEMORY_VECTORS + ", got " + vectors);
    }
  }

  /** The first kept iteration of a challenge of T iterations: T - kept. */
  @JsonIgnore
  public int first(int iterations) {
    return iterations - kept;
  }

  /** Whether iteration t of a challenge of T iterations is kept. */
  public boolean keeps(int t, int iterations) {
    return t >= first(iterations) && t < iterations;
  }

  /** "keep 4 products, 3 passes", or "none" for null. */
  public static String describe(ChallengeMemory m) {
    return m == null ? "none" : "keep " + m.kept + (m.kept == 1 ? " product, " : " products, ")
        + m.passes + (m.passes == 1 ? " pass" : " passes");
  }

  /** Bytes one device keeps at size n: kept x 8 n^2. */
  public long keptBytes(int n) {
    return (long) kept * n * n * Double.BYTES;
  }
}
