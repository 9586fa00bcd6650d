package org.gpuattest.common.cpu;

import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.Philox4x32;

/** {@link OperandFill} one Philox block at a time, straight from {@link Philox4x32#block}. */
public final class ScalarOperandFill implements OperandFill {
  @Override
  public void fill(int k0, int k1, long first, int count, int c1, int c2, int c3, double[] out,
      int off) {
    int[] x = new int[4];
    for (int p = 0; p < count; p += 2) {
      Philox4x32.block((int) ((first + p) >>> 1), c1, c2, c3, k0, k1, x);
      out[off + p] = Operands.element((x[1] & 0xFFFFFFFFL) << 32 | (x[0] & 0xFFFFFFFFL));
      out[off + p + 1] = Operands.element((x[3] & 0xFFFFFFFFL) << 32 | (x[2] & 0xFFFFFFFFL));
    }
  }
}
