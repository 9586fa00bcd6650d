package org.gpuattest.validator;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;

/**
 * The table of GPU models a validator accepts claims for (testdata/gpu-profiles.json, packaged
 * into the validator): SM count, FP64 rates, the canonical kernel's expected throughput, and the
 * bounds of the timing and SM checks.
 *
 * <p>{@code canonicalTflops} is the rate of the whole canonical iteration (fill, product and
 * hashing, 2 n^3 flops per iteration), as 'attestor bench' measures it, not the product's alone:
 * the ready/go window (docs/soundness.md section 6) holds a run to it within {@code tolerance}.
 */
public record GpuProfiles(int version, String about, Defaults defaults, List<Profile> profiles) {
  /**
   * Bounds shared by every model. startupSeconds, perDeviceSeconds and slack shape the window
   * of a run timed from the challenge's issue (start-up inside); tolerance, maxRoundTripSeconds
   * and commitSeconds shape the window of a ready/go start (docs/soundness.md section 6).
   */
  public record Defaults(
      @JsonProperty(required = true) double startupSeconds,
      @JsonProperty(required = true) double perDeviceSeconds,
      @JsonProperty(required = true) double perIterationSeconds,
      @JsonProperty(required = true) double slack,
      @JsonProperty(required = true) double tolerance,
      @JsonProperty(required = true) double maxRoundTripSeconds,
      @JsonProperty(required = true) double commitSeconds,
      @JsonProperty(required = true) double maxSmImbalance,
      @JsonProperty(required = true) double minBusyFraction) {
    public Defaults {
      for (double v : new double[] {startupSeconds, perDeviceSeconds, perIterationSeconds,
          slack, tolerance, maxRoundTripSeconds, commitSeconds, maxSmImbalance,
          minBusyFraction}) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("every default must be a finite number");
        }
      }
      if (!(tolerance >= 0 && tolerance < 1)) {
        throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
      }
      if (!(startupSeconds >= 0 && perDeviceSeconds >= 0 && maxRoundTripSeconds >= 0
          && commitSeconds >= 0 && perIterationSeconds >= 0)) {
        throw new IllegalArgumentException("startupSeconds, perDeviceSeconds,"
            + " perIterationSeconds, maxRoundTripSeconds and commitSeconds must not be"
            + " negative");
      }
      // A slack under 1 would fail honest runs at the profile's own rate (soundness.md 6).
      if (!(slack >= 1)) {
        throw new IllegalArgumentException("slack must be >= 1, got " + slack);
      }
      if (!(maxSmImbalance >= 0 && maxSmImbalance <= 1)) {
        throw new IllegalArgumentException("maxSmImbalance must be in [0, 1], got "
            + maxSmImbalance);
      }
      if (!(minBusyFraction >= 0 && minBusyFraction <= 1)) {
        throw new IllegalArgumentException("minBusyFraction must be in [0, 1], got "
            + minBusyFraction);
      }
    }
  }

  public record Profile(
      String model,
      @JsonProperty(required = true) int smCount,
      @JsonProperty(required = true) int memoryGiB,
      @JsonProperty(required = true) double fp64Tflops,
      @JsonProperty(required = true) double fp64TensorTflops,
      @JsonProperty(required = true) double canonicalTflops,
      @JsonProperty(required = true) boolean canonicalMeasured) {
    /**
     * The checks an operator's entry needs too ({@link ProfileOverrides}): each message starts
     * with the field it is about, so it reads after the entry's path.
     */
    public Profile {
      Limits.text("model", model);
      if (model.isBlank()) {
        throw new IllegalArgumentException("model must not be empty");
      }
      Limits.range("smCount", smCount, 1, Limits.MAX_SMS);
      if (memoryGiB < 1) {
        throw new IllegalArgumentException("memoryGiB must be >= 1, got " + memoryGiB);
      }
      if (!(fp64Tflops > 0 && Double.isFinite(fp64Tflops))) {
        throw new IllegalArgumentException("fp64Tflops must be > 0, got " + fp64Tflops);
      }
      if (!(fp64TensorTflops > 0 && Double.isFinite(fp64TensorTflops))) {
        throw new IllegalArgumentException("fp64TensorTflops must be > 0, got "
            + fp64TensorTflops);
      }
      // The window's floor divides the work by fp64TensorTflops: a canonical rate above the
      // peak would put the expected time under the fastest possible (soundness.md section 6).
      if (!(canonicalTflops > 0 && canonicalTflops <= fp64TensorTflops)) {
        throw new IllegalArgumentException("canonicalTflops must be > 0 and <="
            + " fp64TensorTflops (" + fp64TensorTflops + "), got " + canonicalTflops);
      }
    }
  }

  public GpuProfiles {
    Limits.version("GPU profile table", version);
    Limits.required("defaults", defaults);
    profiles = List.copyOf(Limits.required("profiles", profiles));
  }

  /** The table shipped with this validator. */
  public static GpuProfiles bundled() {
    try (InputStream in = GpuProfiles.class.getResourceAsStream("gpu-profiles.json")) {
      if (in == null) {
        throw new IllegalStateException("gpu-profiles.json is missing from the validator");
      }
      return Json.read("gpu-profiles.json", in.readAllBytes(), GpuProfiles.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (BadMessageException e) {
      throw new IllegalStateException(e.getMessage());
    }
  }

  /**
   * This table with an operator's overrides from {@code file} laid over it ({@link
   * ProfileOverrides}); errors name the file.
   *
   * @throws BadMessageException the file is unusable or has bad entries, all reported
   */
  public GpuProfiles withOverrides(Path file) throws BadMessageException {
    return ProfileOverrides.apply(this, file.toString(), file);
  }

  /**
   * The part of this table a verdict on {@code model} is held to: the defaults and that model's
   * profile, if there is one. The evidence archive keeps it, so a re-verification uses the
   * bounds the verdict was made with, whatever the table says later (docs/protocol.md 8.5).
   */
  public GpuProfiles forModel(String model) {
    return new GpuProfiles(version, "the part of the validator's table this verdict was held"
        + " to", defaults, find(model).stream().toList());
  }

  public Optional<Profile> find(String model) {
    return profiles.stream().filter(p -> p.model().equals(model)).findFirst();
  }

  public List<String> models() {
    return profiles.stream().map(Profile::model).toList();
  }
}
