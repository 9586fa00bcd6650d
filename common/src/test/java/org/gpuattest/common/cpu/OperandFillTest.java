package org.gpuattest.common.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.Philox4x32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operand fill against the spec's mapping computed from {@link Philox4x32#block} one
 * block at a time, bit for bit: random keys and counter words (high bits set), counts that
 * leave a partial vector, and a block index that wraps past 2^32 (the counter word is 32 bits).
 */
class OperandFillTest {
  static Stream<OperandFill> fills() {
    List<OperandFill> all = new ArrayList<>();
    all.add(new ScalarOperandFill());
    if (CpuKernels.moduleEnabled()) {
      all.add(CpuKernels.choose("vector", true).operands());
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("fills")
  void fill_randomStreams_equalPhiloxBlockByBlock(OperandFill fill) {
    SplittableRandom r = new SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      int k0 = r.nextInt();
      int k1 = r.nextInt();
      int c1 = r.nextInt();
      int c2 = r.nextInt();
      int c3 = r.nextInt();
      long first = trial % 3 == 0 ? ((1L << 33) - 2L * r.nextInt(40)) : 2L * r.nextInt(1 << 20);
      int count = 2 * r.nextInt(trial < 100 ? 40 : 600);
      double[] out = new double[count + 3];
      fill.fill(k0, k1, first, count, c1, c2, c3, out, 3);
      int[] x = new int[4];
      for (int p = 0; p < count; p += 2) {
        Philox4x32.block((int) ((first + p) >>> 1), c1, c2, c3, k0, k1, x);
        long even = (x[1] & 0xFFFFFFFFL) << 32 | (x[0] & 0xFFFFFFFFL);
        long odd = (x[3] & 0xFFFFFFFFL) << 32 | (x[2] & 0xFFFFFFFFL);
        assertEquals(Double.doubleToRawLongBits(Operands.element(even)),
            Double.doubleToRawLongBits(out[3 + p]), "element " + (first + p));
        assertEquals(Double.doubleToRawLongBits(Operands.element(odd)),
            Double.doubleToRawLongBits(out[3 + p + 1]), "element " + (first + p + 1));
      }
      assertEquals(0.0, out[0] + out[1] + out[2], "wrote before off");
    }
  }

  @Test
  void choose_withoutModule_autoIsScalarAndSaysHowToEnableTheVectorKernel() {
    CpuKernels k = CpuKernels.choose("auto", false);
    assertEquals("scalar 4x4", k.product().name());
    assertEquals("CPU kernel: scalar 4x4 (jdk.incubator.vector is not enabled; start java with"
        + " --add-modules jdk.incubator.vector for the vector kernel)", k.description());
  }

  @Test
  void choose_vectorWithoutModule_andUnknownMode_areRefusedInOneLine() {
    IllegalStateException noModule = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, () -> CpuKernels.choose("vector", false));
    assertEquals("gpuattest.cpu.kernel=vector needs the Java Vector API: start java with"
        + " --add-modules jdk.incubator.vector", noModule.getMessage());
    IllegalStateException unknown = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, () -> CpuKernels.choose("fast", true));
    assertEquals("gpuattest.cpu.kernel must be auto, scalar or vector, not 'fast'",
        unknown.getMessage());
  }

  @Test
  void choose_scalarForced_saysSo() {
    assertEquals("CPU kernel: scalar 4x4 (gpuattest.cpu.kernel=scalar)",
        CpuKernels.choose(" Scalar ", true).description());
  }

  @Test
  void choose_autoWithModule_isTheVectorKernel() {
    org.junit.jupiter.api.Assumptions.assumeTrue(CpuKernels.moduleEnabled(),
        "this JVM runs without --add-modules jdk.incubator.vector");
    CpuKernels k = CpuKernels.choose("auto", true);
    org.junit.jupiter.api.Assertions.assertTrue(k.product().name().startsWith("vector "),
        k.description());
    org.junit.jupiter.api.Assertions.assertTrue(
        k.description().endsWith("(Java Vector API, jdk.incubator.vector)"), k.description());
  }
}
