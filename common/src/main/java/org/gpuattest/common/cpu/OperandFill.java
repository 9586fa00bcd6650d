package org.gpuattest.common.cpu;

/**
 * Operand elements from Philox4x32-10 (docs/protocol.md, "Philox4x32-10"): element e of the
 * stream with counter words (c1, c2, c3) comes from the block with counter (e >> 1, c1, c2,
 * c3); even e from u = x1 << 32 | x0, odd e from u = x3 << 32 | x2, as (u >>> 11) * 2^-52 - 1.
 * Blocks are independent, so a kernel may compute many at once; {@link ScalarOperandFill} is
 * the plain form, a Vector API form runs eight blocks per instruction where enabled.
 */
public interface OperandFill {
  /**
   * Elements first .. first + count - 1 of one stream into out[off ..]; first and count even.
   *
   * @param k0 the Philox key's first word
   * @param k1 the Philox key's second word
   */
  void fill(int k0, int k1, long first, int count, int c1, int c2, int c3, double[] out,
      int off);
}
