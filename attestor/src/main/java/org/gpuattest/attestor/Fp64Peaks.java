package org.gpuattest.attestor;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;

/**
 * The vendor's FP64 peaks of a GPU model, from the GPU profile table the validator holds claims
 * against (testdata/gpu-profiles.json, packed into this jar too): what 'attestor bench' compares
 * the canonical kernel with where cuBLAS cannot load.
 */
public final class Fp64Peaks {
  private Fp64Peaks() {}

  /**
   * FP64 peaks in TFLOP/s: plain FMA units and tensor cores; and the memory bandwidth the
   * memory phase is held to, TB/s (the vendor's, until measured), where the table has it.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Peak(String model, double fp64Tflops, double fp64TensorTflops,
      Double memoryTBps) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Table(List<Peak> profiles) {}

  /** The peaks of {@code model} as the driver names it, if the table has it. */
  public static Optional<Peak> of(String model) {
    try (InputStream in = Fp64Peaks.class.getResourceAsStream("gpu-profiles.json")) {
      if (in == null) {
        return Optional.empty();
      }
      Table t = Json.read("gpu-profiles.json", in.readAllBytes(), Table.class);
      return t.profiles().stream().filter(p -> p.model().equals(model)).findFirst();
    } catch (IOException | BadMessageException e) {
      return Optional.empty();
    }
  }
}
