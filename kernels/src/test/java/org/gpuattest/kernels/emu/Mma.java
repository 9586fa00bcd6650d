package org.gpuattest.kernels.emu;

/**
 * mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 d, a, b, c for one warp, read from the PTX
 * ISA (9.0, §9.7.14.5.14 "Matrix Fragments for mma.m8n8k4 with .f64 floating point type"), not
 * from the kernels' own layout header: an independent reading is the point.
 *
 * <ul>
 *   <li>A (8 x 4, .row): each lane holds one element, a0: row = %laneid >> 2, col = %laneid % 4.
 *   <li>B (4 x 8, .col): one element, b0: row = %laneid % 4, col = %laneid >> 2.
 *   <li>C and D (8 x 8): two elements, ci for i in {0, 1}: groupID = %laneid >> 2,
 *       threadID_in_group = %laneid % 4, row = groupID, col = threadID_in_group * 2 + i.
 * </ul>
 *
 * <p>Each D element is the FMA chain c, k = 0, 1, 2, 3 in that order, each step rounded: the
 * behaviour measured on an H100 (protocol §1.5), which the ISA leaves to the implementation.
 */
final class Mma {
  private Mma() {}

  /**
   * Computes D for all 32 lanes of a warp. {@code r} is the warp's register file (slot-major,
   * 32 lanes a slot); the slots are those of a0, b0, c0, c1, d0, d1.
   */
  static void m8n8k4(long[] r, int a, int b, int c0, int c1, int d0, int d1) {
    double[] am = new double[32]; // row * 4 + k
    double[] bm = new double[32]; // k * 8 + col
    double[] cm = new double[64]; // row * 8 + col
    for (int lane = 0; lane < 32; lane++) {
      int group = lane >> 2;
      int inGroup = lane & 3;
      am[group * 4 + inGroup] = Double.longBitsToDouble(r[(a << 5) + lane]);
      bm[inGroup * 8 + group] = Double.longBitsToDouble(r[(b << 5) + lane]);
      cm[group * 8 + inGroup * 2] = Double.longBitsToDouble(r[(c0 << 5) + lane]);
      cm[group * 8 + inGroup * 2 + 1] = Double.longBitsToDouble(r[(c1 << 5) + lane]);
    }
    for (int lane = 0; lane < 32; lane++) {
      int row = lane >> 2;
      for (int i = 0; i < 2; i++) {
        int col = (lane & 3) * 2 + i;
        double acc = cm[row * 8 + col];
        for (int k = 0; k < 4; k++) {
          acc = Math.fma(am[row * 4 + k], bm[k * 8 + col], acc);
        }
        r[((i == 0 ? d0 : d1) << 5) + lane] = Double.doubleToRawLongBits(acc);
      }
    }
  }
}
