package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.gpuattest.common.Limits;
import org.gpuattest.common.gpu.SmArchitecture;
import org.junit.jupiter.api.Test;

/**
 * The order a GPU tries the product kernels in (issue 19, A2): fastest first, except where
 * matmul_dmma_wide's grid leaves so many SMs empty that matmul_dmma, with four times the
 * blocks, keeps them at work; and the reason the commitment gives.
 */
class GridFillTest {
  private static final List<ProductKernel> FASTEST_FIRST = ProductKernel.PREFERENCE;
  private static final List<ProductKernel> DMMA_FIRST =
      List.of(ProductKernel.DMMA, ProductKernel.DMMA_WIDE, ProductKernel.FFMA);

  /** An H100's occupancy, from the geometry table: 2, 4 and 1 blocks per SM. */
  private static final ToIntFunction<ProductKernel> H100 =
      k -> k.geometry.blocksPerSm(SmArchitecture.find("9.0").orElseThrow());

  @Test
  void order_on132Sms_dmmaFirstWhereTheWideGridLeavesSmsEmpty() {
    // n = 1024: 64 wide blocks for 132 SMs (48% of SM time), 256 dmma blocks reach all.
    assertEquals(DMMA_FIRST, GridFill.order(1024, 132, H100));
    assertEquals(DMMA_FIRST, GridFill.order(1152, 132, H100)); // 81 blocks: 61%
    assertEquals(FASTEST_FIRST, GridFill.order(1280, 132, H100)); // 100 blocks: 76%
    assertEquals(FASTEST_FIRST, GridFill.order(2048, 132, H100)); // 256 in two waves: 97%
    assertEquals(FASTEST_FIRST, GridFill.order(1088, 132, H100), "the wide tile does not fit");
  }

  @Test
  void order_everyLegalN_keepsFfmaLast_andWideFirstFromN2304On132Sms() {
    for (int n = Limits.MIN_DIM; n <= Limits.MAX_DIM; n += Limits.DIM_MULTIPLE) {
      List<ProductKernel> order = GridFill.order(n, 132, H100);
      assertEquals(ProductKernel.FFMA, order.get(2), "n = " + n);
      if (n >= 2304) {
        assertEquals(FASTEST_FIRST, order, "n = " + n);
      }
    }
  }

  @Test
  void reason_fastest() {
    assertEquals("matmul_dmma_wide: the fastest kernel for this GPU at n = 2048",
        GridFill.reason(ProductKernel.DMMA_WIDE, FASTEST_FIRST, 2048, 132, "9.0", true, H100,
            k -> Optional.empty()));
  }

  @Test
  void reason_gridFill_namesBothFills() {
    assertEquals("matmul_dmma: grid fill on 132 SMs: matmul_dmma_wide (64 blocks) keeps 48% of"
        + " the SM time at work, matmul_dmma (256 blocks) 100%",
        GridFill.reason(ProductKernel.DMMA, DMMA_FIRST, 1024, 132, "9.0", true, H100,
            k -> Optional.empty()));
  }

  @Test
  void reason_tileRefusalAndNoTensorCores() {
    assertEquals("matmul_dmma: n = 1088 is not a multiple of matmul_dmma_wide's tile (128)",
        GridFill.reason(ProductKernel.DMMA, FASTEST_FIRST, 1088, 132, "9.0", true, H100,
            k -> Optional.empty()));
    assertEquals("matmul_ffma: matmul_dmma_wide refused: differs; matmul_dmma refused: too",
        GridFill.reason(ProductKernel.FFMA, FASTEST_FIRST, 2048, 132, "9.0", true, H100,
            k -> Optional.of(k == ProductKernel.DMMA ? "too" : "differs")));
    assertEquals("matmul_ffma: compute capability 7.5 has no FP64 tensor cores (8.0 and up)",
        GridFill.reason(ProductKernel.FFMA, FASTEST_FIRST, 2048, 40, "7.5", false, k -> 2,
            k -> Optional.empty()));
  }

  @Test
  void reason_longRefusal_cutToTheMessageLimit() {
    String reason = GridFill.reason(ProductKernel.FFMA, FASTEST_FIRST, 2048, 132, "9.0", true,
        H100, k -> Optional.of("x".repeat(400)));
    assertEquals(Limits.MAX_TEXT, reason.length());
    assertTrue(reason.endsWith("..."));
  }
}
