package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One sampled row: row i of C(g, t), and, where the challenge has a memory phase and t is
 * kept, the pass p whose element y_p(t)[i] is opened with it (docs/protocol.md §7). Ranges are
 * checked against the challenge by the reader.
 */
public record Sample(
    @JsonProperty(required = true) int device,
    @JsonProperty(required = true) int iteration,
    @JsonProperty(required = true) int row,
    Integer pass) {
  public Sample {
    if (device < 0 || iteration < 0 || row < 0) {
      throw new IllegalArgumentException(
          "sample indices must not be negative, got (" + device + ", " + iteration + ", " + row
              + ")");
    }
    if (pass != null && pass < 0) {
      throw new IllegalArgumentException("sample pass must not be negative, got " + pass);
    }
  }

  /** A sample with no memory pass. */
  public Sample(int device, int iteration, int row) {
    this(device, iteration, row, null);
  }

  /** This sample with pass p opened too. */
  public Sample withPass(int p) {
    return new Sample(device, iteration, row, p);
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

  /**
   * Refuses a pass where the challenge has none to open: no memory phase, an iteration not
   * kept, or a pass beyond P.
   */
  public void checkPassWithin(String where, ChallengeMemory memory, int iterations) {
    if (pass == null) {
      return;
    }
    if (memory == null) {
      throw new IllegalArgumentException(where + ".pass: the challenge has no memory phase");
    }
    if (!memory.keeps(iteration, iterations)) {
      throw new IllegalArgumentException(where + ".pass: iteration " + iteration + " is not"
          + " kept (the kept are " + memory.first(iterations) + " to " + (iterations - 1) + ")");
    }
    if (pass >= memory.passes()) {
      throw new IllegalArgumentException(where + ".pass " + pass + " is out of range: the"
          + " memory phase has " + memory.passes() + " passes");
    }
  }
}
