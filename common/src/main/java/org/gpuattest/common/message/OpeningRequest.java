package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.util.Hex;

/** The validator's choice of rows to open, bound to one challenge and one commitment. */
public record OpeningRequest(
    @JsonProperty(required = true) int version,
    String challengeDigest,
    String commitmentDigest,
    List<Sample> samples) {
  public OpeningRequest {
    Limits.version("opening request", version);
    Hex.decode("challengeDigest", challengeDigest, 32);
    Hex.decode("commitmentDigest", commitmentDigest, 32);
    Limits.required("samples", samples);
    Limits.range("samples (count)", samples.size(), 1, Limits.MAX_SAMPLES);
    for (int i = 0; i < samples.size(); i++) {
      Limits.required("samples[" + i + "]", samples.get(i));
    }
    samples = List.copyOf(samples);
  }
}
