package org.gpuattest.common.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The work a command declares for the kernel choice: products' FLOPs plus weighed operands. */
class CpuWorkTest {
  @Test
  void of_isTwoFlopsPerMultiplyAdd_plusTheOperandsWeight() {
    assertEquals(2L * 460 * 2048 * 2048, CpuWork.of(460, 2048, 0));
    assertEquals(CpuWork.FLOPS_PER_OPERAND * 2048 * 2048, CpuWork.of(0, 2048, 2048 * 2048));
    assertEquals(0, CpuWork.of(0, 2048, 0));
  }

  @Test
  void of_saturates_andRefusesNegatives() {
    assertEquals(Long.MAX_VALUE, CpuWork.of(Long.MAX_VALUE / 4, 65536, 0));
    assertEquals(Long.MAX_VALUE, CpuWork.of(1, 64, Long.MAX_VALUE / 2));
    assertThrows(IllegalArgumentException.class, () -> CpuWork.of(-1, 64, 0));
    assertThrows(IllegalArgumentException.class, () -> CpuWork.of(1, 64, -1));
    assertThrows(IllegalArgumentException.class, () -> CpuKernels.forWork(-1));
  }

  @Test
  void format_printsMegaOrGigaFlops() {
    assertEquals("34 MFLOP", CpuWork.format(CpuWork.of(2 * 4 * 128, 128, 0)));
    assertEquals("3.9 GFLOP", CpuWork.format(CpuWork.of(460, 2048, 0)));
    assertEquals("31 GFLOP", CpuWork.format(CpuWork.of(8 * 460, 2048, 0)));
  }
}
