package org.gpuattest.common.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Resident blocks per SM from the table's registers and shared memory, against the figures
 * ptx/README.md and docs/benchmarks.md give (ptxas 13.0; the CUDA occupancy calculator's
 * rules): FFMA 2, matmul_dmma 4, matmul_dmma_wide 1 on the A100 (8.0) and H100 (9.0).
 */
class ProductGeometryTest {
  private static int perSm(ProductGeometry k, String cc) {
    return k.blocksPerSm(SmArchitecture.find(cc).orElseThrow());
  }

  @Test
  void blocksPerSm_a100AndH100_areThoseTheDocsGive() {
    for (String cc : new String[] {"8.0", "9.0"}) {
      assertEquals(2, perSm(ProductGeometry.MATMUL_FFMA, cc), cc); // 108/110 registers
      assertEquals(4, perSm(ProductGeometry.MATMUL_DMMA, cc), cc); // 62/64 registers
      assertEquals(1, perSm(ProductGeometry.MATMUL_DMMA_WIDE, cc), cc); // 206/208 registers
    }
  }

  @Test
  void blocksPerSm_whereTheKernelCannotRun_isZero() {
    // 112128 + 1024 bytes of shared memory: above the 99 KiB a block may have on 8.6 and 8.9.
    assertEquals(0, perSm(ProductGeometry.MATMUL_DMMA_WIDE, "8.6"));
    assertEquals(0, perSm(ProductGeometry.MATMUL_DMMA_WIDE, "12.0"));
    // No FP64 mma before 8.0.
    assertEquals(0, perSm(ProductGeometry.MATMUL_DMMA, "7.5"));
    assertEquals(2, perSm(ProductGeometry.MATMUL_FFMA, "7.5"));
  }

  @Test
  void blocksPerSm_moreRegistersOnOtherArchitectures_fewerBlocks() {
    // ptxas 13.0 gives matmul_dmma 88 registers on sm_86 (2 blocks) and 78 on sm_100 (3).
    assertEquals(2, perSm(ProductGeometry.MATMUL_DMMA, "8.6"));
    assertEquals(3, perSm(ProductGeometry.MATMUL_DMMA, "10.0"));
  }

  @Test
  void everyKnownArchitecture_hasRegistersForEveryKernelItMayRun() {
    for (SmArchitecture a : SmArchitecture.KNOWN) {
      for (ProductGeometry k : ProductGeometry.values()) {
        if (a.code() >= k.minCapability) {
          assertTrue(k.registers(a).isPresent(), k + " on " + a.capability());
        }
      }
    }
  }

  @Test
  void byEntry_andTiles() {
    assertEquals(ProductGeometry.MATMUL_DMMA_WIDE,
        ProductGeometry.byEntry("matmul_dmma_wide").orElseThrow());
    assertTrue(ProductGeometry.byEntry("matmul_dmma_wide_unmonitored").isEmpty());
    assertEquals(112128, ProductGeometry.MATMUL_DMMA_WIDE.dynamicSharedBytes);
    assertEquals(256L, ProductGeometry.MATMUL_DMMA_WIDE.blocks(2048));
    assertEquals(1024L, ProductGeometry.MATMUL_DMMA.blocks(2048));
    assertTrue(ProductGeometry.MATMUL_DMMA.fits(1088));
    assertTrue(!ProductGeometry.MATMUL_DMMA_WIDE.fits(1088));
  }

  @Test
  void capabilityCode_parsesMajorMinorOnly() {
    assertEquals(OptionalInt.of(90), SmArchitecture.code("9.0"));
    assertEquals(OptionalInt.of(120), SmArchitecture.code("12.0"));
    for (String bad : new String[] {"9", "9.0.1", " 9.0", "cpu", "09.0", "9.10", ""}) {
      assertTrue(SmArchitecture.code(bad).isEmpty(), bad);
    }
    assertTrue(SmArchitecture.find("13.0").isEmpty());
  }
}
