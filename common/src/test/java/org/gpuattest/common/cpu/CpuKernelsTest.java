package org.gpuattest.common.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The choice between the plain and the vector kernel by the work a process declares: the
 * plain kernel below {@link CpuWork#VECTOR_MIN} (a cold JVM finishes a short command
 * sooner on it), the vector kernel from there and where no work was declared (a warm,
 * long-running JVM), and {@value CpuKernels#PROPERTY} above both. (The choice of the running
 * JVM is made once, by whichever test gets there first; these tests use the pure rule.)
 */
class CpuKernelsTest {
  private static final String SCALAR = "scalar 4x4";
  /** The threshold as the lines print it ("24 GFLOP"). */
  private static final String THRESHOLD = CpuWork.format(CpuWork.VECTOR_MIN);

  @BeforeEach
  void vectorsHere() {
    assumeTrue(CpuKernels.moduleEnabled(), "this JVM runs without the Vector API module");
    assumeTrue(CpuKernels.choose("auto", true).product().name().startsWith("vector "),
        "this CPU has no vectors of two doubles");
  }

  @Test
  void choose_autoBelowTheThreshold_isScalar_andSaysWhy() {
    long half = CpuWork.VECTOR_MIN / 2;
    CpuKernels k = CpuKernels.choose("auto", true, half);
    assertEquals(SCALAR, k.product().name());
    assertEquals("CPU kernel: scalar 4x4 (" + CpuWork.format(half) + " of CPU work, below"
        + " the " + THRESHOLD + " from which the vector kernel's warm-up pays;"
        + " gpuattest.cpu.kernel=vector forces it)", k.description());
    assertEquals(SCALAR, CpuKernels.choose("auto", true, CpuWork.VECTOR_MIN - 1)
        .product().name());
    assertEquals(SCALAR, CpuKernels.choose("auto", true, 0).product().name());
  }

  @Test
  void choose_autoAtTheThreshold_isVector_andNamesTheWork() {
    CpuKernels k = CpuKernels.choose("auto", true, CpuWork.VECTOR_MIN);
    assertTrue(k.product().name().startsWith("vector "), k.description());
    assertTrue(k.description().endsWith(
        "(Java Vector API, jdk.incubator.vector; " + THRESHOLD + " of CPU work)"),
        k.description());
    assertTrue(CpuKernels.choose("auto", true, Long.MAX_VALUE).product().name()
        .startsWith("vector "));
  }

  @Test
  void choose_autoWithoutDeclaredWork_isVector_asForAWarmJvm() {
    CpuKernels k = CpuKernels.choose("auto", true, CpuKernels.UNDECLARED);
    assertTrue(k.product().name().startsWith("vector "), k.description());
    assertTrue(k.description().endsWith("(Java Vector API, jdk.incubator.vector)"));
  }

  @Test
  void choose_forcedMode_ignoresTheWork() {
    assertEquals(SCALAR, CpuKernels.choose("scalar", true, Long.MAX_VALUE).product().name());
    assertTrue(CpuKernels.choose("vector", true, 0).product().name().startsWith("vector "));
    assertEquals(SCALAR, CpuKernels.choose("auto", false, Long.MAX_VALUE).product().name(),
        "without the module there is one kernel, whatever the work");
  }

  @Test
  void policy_auto_namesBothKernelsAndTheThreshold() {
    assertEquals("CPU kernel: scalar 4x4 below " + THRESHOLD + " of CPU work per command, the"
        + " vector kernel (Java Vector API, jdk.incubator.vector) from there and in a"
        + " long-running JVM", CpuKernels.policy("auto", true));
    assertEquals("CPU kernel: scalar 4x4 (gpuattest.cpu.kernel=scalar)",
        CpuKernels.policy("scalar", true));
    assertThrows(IllegalStateException.class, () -> CpuKernels.policy("fast", true));
  }
}
