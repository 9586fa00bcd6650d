package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.util.Hex;

/**
 * The prover's answer for one sample: the matrix root r(g, t) with its audit path to R(g),
 * and the audit path of row i to r(g, t); where the sample names a pass of the memory phase,
 * that pass's element of the row ({@link MemoryOpening}). The row itself is not sent: the
 * validator computes it (canonical-v1, "Opening and checking").
 */
public record Opening(
    @JsonProperty(required = true) int device,
    @JsonProperty(required = true) int iteration,
    @JsonProperty(required = true) int row,
    String matrixRoot,
    List<String> matrixPath,
    List<String> rowPath,
    MemoryOpening memory) {
  public Opening {
    new Sample(device, iteration, row); // same range rules
    Hex.decode("matrixRoot", matrixRoot, 32);
    matrixPath = path("matrixPath", matrixPath);
    rowPath = path("rowPath", rowPath);
  }

  /** An opening without a memory element. */
  public Opening(int device, int iteration, int row, String matrixRoot, List<String> matrixPath,
      List<String> rowPath) {
    this(device, iteration, row, matrixRoot, matrixPath, rowPath, null);
  }

  static List<String> path(String field, List<String> path) {
    Limits.required(field, path);
    if (path.size() > Limits.MAX_PATH) {
      throw new IllegalArgumentException(
          field + " has " + path.size() + " entries, at most " + Limits.MAX_PATH);
    }
    for (int i = 0; i < path.size(); i++) {
      Hex.decode(field + "[" + i + "]", path.get(i), 32);
    }
    return List.copyOf(path);
  }

  /** The sample this answers, with the memory element's pass where it has one. */
  @JsonIgnore
  public Sample sample() {
    return new Sample(device, iteration, row, memory == null ? null : memory.pass());
  }

  public static byte[][] decodePath(List<String> path) {
    byte[][] out = new byte[path.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Hex.decode("path", path.get(i), 32);
    }
    return out;
  }
}
