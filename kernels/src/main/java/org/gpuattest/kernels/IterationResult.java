package org.gpuattest.kernels;

/** One iteration on one device: the matrix root r(g, t) and the time its kernels ran. */
public record IterationResult(byte[] matrixRoot, long kernelNanos) {
  public IterationResult {
    if (matrixRoot.length != 32) {
      throw new IllegalArgumentException("a matrix root is 32 bytes, got " + matrixRoot.length);
    }
    matrixRoot = matrixRoot.clone();
  }

  @Override
  public byte[] matrixRoot() {
    return matrixRoot.clone();
  }
}
