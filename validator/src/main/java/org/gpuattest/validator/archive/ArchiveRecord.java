package org.gpuattest.validator.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.regex.Pattern;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.GpuProfiles;

/**
 * record.json of one archived exchange (docs/protocol.md section 8.5,
 * testdata/schemas/archive-record.schema.json): which challenge, which command kept it, when
 * the verdict was made on the validator's clock, which validator build made it, the operator's
 * label for the provider, the options that decided how strictly it was verified, and where the
 * prover failed, if it did. {@code provider}, {@code options.proverKey} and {@code
 * proverFailure} are written as null rather than left out, so a reader sees every field.
 * {@code profiles} is the part of the GPU profile table the verdict was held to (the defaults
 * and the claimed model's profile): re-verification uses it, not the table of the validator
 * that re-verifies, whose rates may since have been calibrated anew. Records written before
 * it was kept have none.
 */
public record ArchiveRecord(
    @JsonProperty(required = true) int version,
    String challengeId,
    String command,
    String verifiedAt,
    String archivedAt,
    String validator,
    @JsonInclude(JsonInclude.Include.ALWAYS) String provider,
    Options options,
    @JsonInclude(JsonInclude.Include.ALWAYS) ProverFailureNote proverFailure,
    GpuProfiles profiles) {
  public static final String ATTEST = "attest";
  public static final String VERIFY = "verify";
  /** A provider label: a name an operator types, never a path or a sentence. */
  private static final Pattern PROVIDER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}");
  /** The steps a prover can fail at (ProverFailure) and the checks that name how. */
  private static final Pattern STEP = Pattern.compile("prepare|ready|go|prove|memory|open");
  private static final Pattern FAILURE_CHECK =
      Pattern.compile("prover\\.(exit|timeout|output)|devices\\.(count|backend|model)");

  /**
   * What the operator decided: CPU commitments accepted, a challenge issued with --weak-timing
   * (by 'attest'; 'verify' issues none and records false), and the pinned prover key (PEM).
   */
  public record Options(@JsonProperty(required = true) boolean allowCpu,
      @JsonProperty(required = true) boolean weakTiming,
      @JsonInclude(JsonInclude.Include.ALWAYS) String proverKey) {
    public Options {
      if (proverKey != null) {
        Limits.text("options.proverKey", proverKey);
      }
    }
  }

  /** Where the prover failed ('attest' only): the step, and the check its verdict failed. */
  public record ProverFailureNote(String step, String check) {
    public ProverFailureNote {
      if (step == null || !STEP.matcher(step).matches()) {
        throw new IllegalArgumentException("proverFailure.step must be one of prepare, ready,"
            + " go, prove, memory, open");
      }
      if (check == null || !FAILURE_CHECK.matcher(check).matches()) {
        throw new IllegalArgumentException("proverFailure.check must be prover.exit,"
            + " prover.timeout, prover.output, or devices.count, devices.backend or"
            + " devices.model (a ready answer refused)");
      }
    }
  }

  public ArchiveRecord {
    Limits.version("archive record", version);
    Hex.decode("challengeId", challengeId, Challenge.ID_BYTES);
    if (!challengeId.equals(challengeId.toLowerCase(java.util.Locale.ROOT))) {
      throw new IllegalArgumentException("challengeId must be lower-case hex");
    }
    if (!ATTEST.equals(command) && !VERIFY.equals(command)) {
      throw new IllegalArgumentException("command must be \"attest\" or \"verify\"");
    }
    Challenge.instant("verifiedAt", verifiedAt);
    Challenge.instant("archivedAt", archivedAt);
    Limits.text("validator", validator);
    if (provider != null && !PROVIDER.matcher(provider).matches()) {
      throw new IllegalArgumentException("provider must be 1 to 64 letters, digits and . _ : @"
          + " + -, starting with a letter or digit");
    }
    Limits.required("options", options);
    if (proverFailure != null && !ATTEST.equals(command)) {
      throw new IllegalArgumentException("proverFailure is recorded by 'attest' only");
    }
  }

  /** When the verdict was made, on the validator's clock. */
  public Instant verified() {
    return Instant.parse(verifiedAt);
  }

  /**
   * Checks an operator's --provider label before any work is done.
   *
   * @throws BadMessageException naming {@code option}, without quoting the label
   */
  public static String checkProvider(String option, String label) throws BadMessageException {
    if (label != null && !PROVIDER.matcher(label).matches()) {
      throw new BadMessageException(option + ": a provider label is 1 to 64 letters, digits"
          + " and . _ : @ + -, starting with a letter or digit");
    }
    return label;
  }
}
