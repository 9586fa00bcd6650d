package org.gpuattest.validator;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;

/**
 * The table of GPU models a validator accepts claims for (testdata/gpu-profiles.json, packaged
 * into the validator): SM count, FP64 rates, the canonical kernel's expected throughput, and the
 * bounds of the timing and SM checks.
 */
public record GpuProfiles(int version, String about, Defaults defaults, List<Profile> profiles) {
  public record Defaults(
      @JsonProperty(required = true) double startupSeconds,
      @JsonProperty(required = true) double perDeviceSeconds,
      @JsonProperty(required = true) double perIterationSeconds,
      @JsonProperty(required = true) double slack,
      @JsonProperty(required = true) double maxSmImbalance,
      @JsonProperty(required = true) double minBusyFraction) {}

  public record Profile(
      String model,
      @JsonProperty(required = true) int smCount,
      @JsonProperty(required = true) int memoryGiB,
      @JsonProperty(required = true) double fp64Tflops,
      @JsonProperty(required = true) double fp64TensorTflops,
      @JsonProperty(required = true) double canonicalTflops,
      @JsonProperty(required = true) boolean canonicalMeasured) {
    public Profile {
      Limits.text("model", model);
      if (!(canonicalTflops > 0 && fp64TensorTflops >= canonicalTflops)) {
        throw new IllegalArgumentException(
            model + ": need 0 < canonicalTflops <= fp64TensorTflops");
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

  public Optional<Profile> find(String model) {
    return profiles.stream().filter(p -> p.model().equals(model)).findFirst();
  }

  public List<String> models() {
    return profiles.stream().map(Profile::model).toList();
  }
}
