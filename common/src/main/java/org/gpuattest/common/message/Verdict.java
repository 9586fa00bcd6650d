package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.gpuattest.common.Limits;

/**
 * The validator's decision: pass only when no check failed; every check is listed. Where a
 * commitment was taken, {@code attestation} states what was judged as numbers and ids
 * (docs/protocol.md section 4.5); null, and absent from the JSON, where there was none.
 */
public record Verdict(
    @JsonProperty(required = true) int version, String result, String challengeId,
    Attestation attestation, List<Check> checks) {
  public static final String PASS = "pass";
  public static final String FAIL = "fail";

  public Verdict {
    Limits.version("verdict", version);
    Limits.required("result", result);
    Limits.required("challengeId", challengeId);
    checks = List.copyOf(Limits.required("checks", checks));
    boolean anyFailed = checks.stream().anyMatch(Check::failed);
    if (result.equals(PASS) == anyFailed || !(result.equals(PASS) || result.equals(FAIL))) {
      throw new IllegalArgumentException("result '" + result + "' disagrees with the checks");
    }
  }

  /** A verdict with no attestation summary: the prover gave no usable commitment. */
  public static Verdict of(String challengeId, List<Check> checks) {
    return of(challengeId, checks, null);
  }

  public static Verdict of(String challengeId, List<Check> checks, Attestation attestation) {
    boolean anyFailed = checks.stream().anyMatch(Check::failed);
    return new Verdict(1, anyFailed ? FAIL : PASS, challengeId, attestation, checks);
  }

  public boolean passed() {
    return result.equals(PASS);
  }

  /** The check of that name, for callers and tests that look for one. */
  public Check check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no check named " + name));
  }
}
