package org.gpuattest.kernels;

/**
 * One pass of the memory phase on one device (docs/protocol.md §2.2): the vector roots
 * s_p(g, t) of every kept t, in kept order, and the memory root m_p(g) over them, made where
 * the device likes (a GPU makes it itself, so no hashing of the K roots is on the prover's
 * CPU while the validator's clock runs).
 */
public record MemoryPassResult(byte[][] vectorRoots, byte[] memoryRoot) {
  public MemoryPassResult {
    if (vectorRoots.length < 1 || memoryRoot.length != 32) {
      throw new IllegalArgumentException("a pass has at least one vector root and a 32-byte"
          + " memory root");
    }
    byte[][] copy = new byte[vectorRoots.length][];
    for (int k = 0; k < copy.length; k++) {
      if (vectorRoots[k].length != 32) {
        throw new IllegalArgumentException("a vector root is 32 bytes, got "
            + vectorRoots[k].length);
      }
      copy[k] = vectorRoots[k].clone();
    }
    vectorRoots = copy;
    memoryRoot = memoryRoot.clone();
  }

  @Override
  public byte[][] vectorRoots() {
    byte[][] copy = new byte[vectorRoots.length][];
    for (int k = 0; k < copy.length; k++) {
      copy[k] = vectorRoots[k].clone();
    }
    return copy;
  }

  @Override
  public byte[] memoryRoot() {
    return memoryRoot.clone();
  }
}
