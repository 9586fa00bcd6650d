package org.gpuattest.kernels.emu;

import static java.lang.Integer.numberOfTrailingZeros;

/**
 * Comparison and Selection Instructions (PTX ISA 9.0): setp, its comparison {@link Alu#compare},
 * and selp. A predicate is a slot holding 0 or 1. Operands as in {@link IntegerArithmetic}.
 */
final class ComparisonAndSelection {
  private ComparisonAndSelection() {}

  static void setp(long[] r, int d, int cmp, int type, int a, int b, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = Alu.compare(cmp, type, r[a + l], r[b + l]) ? 1 : 0;
    }
  }

  static void selp(long[] r, int d, int a, int b, int c, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      r[d + l] = r[c + l] != 0 ? r[a + l] : r[b + l];
    }
  }
}
