package org.gpuattest.common.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel (JDK incubator module {@code jdk.incubator.vector}): a 4-row by
 * 4-vector tile of C (4 x 32 doubles with 512-bit vectors) in sixteen vector registers, so each
 * k costs four vector loads of B and four broadcasts of A for sixteen vector FMAs. Lanewise
 * {@link DoubleVector#fma} is {@link Math#fma} per lane, so each lane runs exactly one element's
 * canonical chain. Loaded only by {@link CpuKernels}, and only when the module is in the boot
 * layer; the tile is written out because the JIT keeps only locals in registers.
 */
final class VectorKernel extends BlockedKernel {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  VectorKernel() {
    super(4, 4 * L);
  }

  /** Doubles per vector on this CPU; the provider uses the scalar kernel below 2. */
  static int lanes() {
    return L;
  }

  @Override
  public String name() {
    return "vector " + S.vectorBitSize() + "-bit 4x" + width;
  }

  @Override
  void tile(double[] ap, int ao, double[] bp, int bo, int kb, double[] c, int co, int cs) {
    int o0 = co;
    int o1 = co + 1 * cs;
    int o2 = co + 2 * cs;
    int o3 = co + 3 * cs;
    DoubleVector c00 = DoubleVector.fromArray(S, c, o0);
    DoubleVector c01 = DoubleVector.fromArray(S, c, o0 + 1 * L);
    DoubleVector c02 = DoubleVector.fromArray(S, c, o0 + 2 * L);
    DoubleVector c03 = DoubleVector.fromArray(S, c, o0 + 3 * L);
    DoubleVector c10 = DoubleVector.fromArray(S, c, o1);
    DoubleVector c11 = DoubleVector.fromArray(S, c, o1 + 1 * L);
    DoubleVector c12 = DoubleVector.fromArray(S, c, o1 + 2 * L);
    DoubleVector c13 = DoubleVector.fromArray(S, c, o1 + 3 * L);
    DoubleVector c20 = DoubleVector.fromArray(S, c, o2);
    DoubleVector c21 = DoubleVector.fromArray(S, c, o2 + 1 * L);
    DoubleVector c22 = DoubleVector.fromArray(S, c, o2 + 2 * L);
    DoubleVector c23 = DoubleVector.fromArray(S, c, o2 + 3 * L);
    DoubleVector c30 = DoubleVector.fromArray(S, c, o3);
    DoubleVector c31 = DoubleVector.fromArray(S, c, o3 + 1 * L);
    DoubleVector c32 = DoubleVector.fromArray(S, c, o3 + 2 * L);
    DoubleVector c33 = DoubleVector.fromArray(S, c, o3 + 3 * L);
    for (int k = 0; k < kb; k++) {
      int b = bo + k * width;
      int a = ao + 4 * k;
      DoubleVector b0 = DoubleVector.fromArray(S, bp, b);
      DoubleVector b1 = DoubleVector.fromArray(S, bp, b + 1 * L);
      DoubleVector b2 = DoubleVector.fromArray(S, bp, b + 2 * L);
      DoubleVector b3 = DoubleVector.fromArray(S, bp, b + 3 * L);
      DoubleVector x0 = DoubleVector.broadcast(S, ap[a]);
      c00 = x0.fma(b0, c00);
      c01 = x0.fma(b1, c01);
      c02 = x0.fma(b2, c02);
      c03 = x0.fma(b3, c03);
      DoubleVector x1 = DoubleVector.broadcast(S, ap[a + 1]);
      c10 = x1.fma(b0, c10);
      c11 = x1.fma(b1, c11);
      c12 = x1.fma(b2, c12);
      c13 = x1.fma(b3, c13);
      DoubleVector x2 = DoubleVector.broadcast(S, ap[a + 2]);
      c20 = x2.fma(b0, c20);
      c21 = x2.fma(b1, c21);
      c22 = x2.fma(b2, c22);
      c23 = x2.fma(b3, c23);
      DoubleVector x3 = DoubleVector.broadcast(S, ap[a + 3]);
      c30 = x3.fma(b0, c30);
      c31 = x3.fma(b1, c31);
      c32 = x3.fma(b2, c32);
      c33 = x3.fma(b3, c33);
    }
    c00.intoArray(c, o0);
    c01.intoArray(c, o0 + 1 * L);
    c02.intoArray(c, o0 + 2 * L);
    c03.intoArray(c, o0 + 3 * L);
    c10.intoArray(c, o1);
    c11.intoArray(c, o1 + 1 * L);
    c12.intoArray(c, o1 + 2 * L);
    c13.intoArray(c, o1 + 3 * L);
    c20.intoArray(c, o2);
    c21.intoArray(c, o2 + 1 * L);
    c22.intoArray(c, o2 + 2 * L);
    c23.intoArray(c, o2 + 3 * L);
    c30.intoArray(c, o3);
    c31.intoArray(c, o3 + 1 * L);
    c32.intoArray(c, o3 + 2 * L);
    c33.intoArray(c, o3 + 3 * L);
  }

  @Override
  void row(double[] a, int ao, double[] bp, int bo, int kb, double[] c, int co) {
    DoubleVector c0 = DoubleVector.fromArray(S, c, co);
    DoubleVector c1 = DoubleVector.fromArray(S, c, co + 1 * L);
    DoubleVector c2 = DoubleVector.fromArray(S, c, co + 2 * L);
    DoubleVector c3 = DoubleVector.fromArray(S, c, co + 3 * L);
    for (int k = 0; k < kb; k++) {
      int b = bo + k * width;
      DoubleVector x = DoubleVector.broadcast(S, a[ao + k]);
      c0 = x.fma(DoubleVector.fromArray(S, bp, b), c0);
      c1 = x.fma(DoubleVector.fromArray(S, bp, b + 1 * L), c1);
      c2 = x.fma(DoubleVector.fromArray(S, bp, b + 2 * L), c2);
      c3 = x.fma(DoubleVector.fromArray(S, bp, b + 3 * L), c3);
    }
    c0.intoArray(c, co);
    c1.intoArray(c, co + 1 * L);
    c2.intoArray(c, co + 2 * L);
    c3.intoArray(c, co + 3 * L);
  }
}
