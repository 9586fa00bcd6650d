package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.util.Hex;

/** The prover's answers to an opening request, one per sample, in the request's order. */
public record Openings(
    @JsonProperty(required = true) int version,
    String challengeDigest,
    String commitmentDigest,
    List<Opening> openings) {
  public Openings {
    Limits.version("openings", version);
    Hex.decode("challengeDigest", challengeDigest, 32);
    Hex.decode("commitmentDigest", commitmentDigest, 32);
    Limits.required("openings", openings);
    Limits.range("openings (count)", openings.size(), 0, Limits.MAX_SAMPLES);
    for (int i = 0; i < openings.size(); i++) {
      Limits.required("openings[" + i + "]", openings.get(i));
    }
    openings = List.copyOf(openings);
  }
}
