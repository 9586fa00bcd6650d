package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One sampled row: row i of C(g, t). Ranges are checked against the challenge by the reader. */
public record Sample(
    @JsonProperty(required = true) int device,
    @JsonProperty(required = true) int iteration,
    @JsonProperty(required = true) int row) {
  public Sample {
    if (device < 0 || iteration < 0 || row < 0) {
      throw new IllegalArgumentException(
          "sample indices must not be negative, got (" + device + ", " + iteration + ", " + row
              + ")");
    }
  }

  /** Refuses a sample outside G devices, T iterations and n rows, naming the field. */
  public void checkWithin(String where, int devices, int iterations, int dim) {
    if (device >= devices) {
      throw new IllegalArgumentException(
          where + ".device " + device + " is out of range: the challenge has " + devices
              + " devices");
    }
    if (iteration >= iterations) {
      throw new IllegalArgumentException(
          where + ".iteration " + iteration + " is out of range: the challenge has "
              + iterations + " iterations");
    }
    if (row >= dim) {
      throw new IllegalArgumentException(
          where + ".row " + row + " is out of range: matrices have " + dim + " rows");
    }
  }
}
