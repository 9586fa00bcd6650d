package org.gpuattest.common.cpu;

/**
 * The plain-Java kernel: a 4 x 4 tile of C in sixteen locals, so each k costs eight loads for
 * sixteen {@link Math#fma} (the JIT's scalar FMA instruction where the CPU has one). Used where
 * the Vector API is not enabled; the same bits as every other kernel.
 */
public final class ScalarKernel extends BlockedKernel {
  public ScalarKernel() {
    super(4, 4);
  }

  @Override
  public String name() {
    return "scalar 4x4";
  }

  @Override
  void tile(double[] ap, int ao, double[] bp, int bo, int kb, double[] c, int co, int cs) {
    int c0 = co;
    int c1 = co + cs;
    int c2 = c1 + cs;
    int c3 = c2 + cs;
    double s00 = c[c0], s01 = c[c0 + 1], s02 = c[c0 + 2], s03 = c[c0 + 3];
    double s10 = c[c1], s11 = c[c1 + 1], s12 = c[c1 + 2], s13 = c[c1 + 3];
    double s20 = c[c2], s21 = c[c2 + 1], s22 = c[c2 + 2], s23 = c[c2 + 3];
    double s30 = c[c3], s31 = c[c3 + 1], s32 = c[c3 + 2], s33 = c[c3 + 3];
    for (int k = 0; k < kb; k++) {
      int b = bo + 4 * k;
      int a = ao + 4 * k;
      double b0 = bp[b], b1 = bp[b + 1], b2 = bp[b + 2], b3 = bp[b + 3];
      double x = ap[a];
      s00 = Math.fma(x, b0, s00);
      s01 = Math.fma(x, b1, s01);
      s02 = Math.fma(x, b2, s02);
      s03 = Math.fma(x, b3, s03);
      x = ap[a + 1];
      s10 = Math.fma(x, b0, s10);
      s11 = Math.fma(x, b1, s11);
      s12 = Math.fma(x, b2, s12);
      s13 = Math.fma(x, b3, s13);
      x = ap[a + 2];
      s20 = Math.fma(x, b0, s20);
      s21 = Math.fma(x, b1, s21);
      s22 = Math.fma(x, b2, s22);
      s23 = Math.fma(x, b3, s23);
      x = ap[a + 3];
      s30 = Math.fma(x, b0, s30);
      s31 = Math.fma(x, b1, s31);
      s32 = Math.fma(x, b2, s32);
      s33 = Math.fma(x, b3, s33);
    }
    c[c0] = s00; c[c0 + 1] = s01; c[c0 + 2] = s02; c[c0 + 3] = s03;
    c[c1] = s10; c[c1 + 1] = s11; c[c1 + 2] = s12; c[c1 + 3] = s13;
    c[c2] = s20; c[c2 + 1] = s21; c[c2 + 2] = s22; c[c2 + 3] = s23;
    c[c3] = s30; c[c3 + 1] = s31; c[c3 + 2] = s32; c[c3 + 3] = s33;
  }

  @Override
  void row(double[] a, int ao, double[] bp, int bo, int kb, double[] c, int co) {
    double s0 = c[co], s1 = c[co + 1], s2 = c[co + 2], s3 = c[co + 3];
    for (int k = 0; k < kb; k++) {
      int b = bo + 4 * k;
      double x = a[ao + k];
      s0 = Math.fma(x, bp[b], s0);
      s1 = Math.fma(x, bp[b + 1], s1);
      s2 = Math.fma(x, bp[b + 2], s2);
      s3 = Math.fma(x, bp[b + 3], s3);
    }
    c[co] = s0; c[co + 1] = s1; c[co + 2] = s2; c[co + 3] = s3;
  }
}
