package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.gpuattest.common.Limits;
import org.gpuattest.common.gpu.IdealSchedule;
import org.gpuattest.common.util.Counts;

/**
 * The order in which a GPU tries the product kernels at n, and the reason the commitment gives
 * for the one it runs (docs/benchmarks.md, "Product kernel versions"; docs/protocol.md §4.2).
 * Fastest first, {@link ProductKernel#PREFERENCE}, except where the grid would leave SMs
 * empty: matmul_dmma_wide's 128 x 128 blocks are a quarter as many as matmul_dmma's, so at
 * small n or in a thin last wave they keep fewer SMs at work (n = 1024 on 132 SMs: 64 blocks,
 * 68 SMs idle). Where matmul_dmma's SM fill ({@link IdealSchedule#smFill}) times {@link
 * #DMMA_RATE_OVER_WIDE} exceeds the wide kernel's, matmul_dmma goes first. The SM checks pass
 * either way: the validator derives their bounds from the kernel that ran.
 */
final class GridFill {
  /**
   * matmul_dmma's rate over matmul_dmma_wide's with every SM at work: provisional, as
   * docs/benchmarks.md predicts the wide kernel about 1.5 x as fast (it loads half the
   * fragments per mma); replace with the ratio 'attestor bench' measures.
   */
  static final double DMMA_RATE_OVER_WIDE = 2.0 / 3.0;

  private GridFill() {}

  /**
   * The kernels in the order a GPU of {@code smCount} SMs tries them at n.
   *
   * @param blocksPerSm resident blocks per SM of each kernel on this GPU
   */
  static List<ProductKernel> order(int n, int smCount, ToIntFunction<ProductKernel> blocksPerSm) {
    List<ProductKernel> order = new ArrayList<>(ProductKernel.PREFERENCE);
    if (widerFillsLess(n, smCount, blocksPerSm)) {
      order.remove(ProductKernel.DMMA);
      order.add(order.indexOf(ProductKernel.DMMA_WIDE), ProductKernel.DMMA);
    }
    return order;
  }

  private static boolean widerFillsLess(int n, int smCount,
      ToIntFunction<ProductKernel> blocksPerSm) {
    if (!ProductKernel.DMMA_WIDE.fits(n)) {
      return false;
    }
    return fill(ProductKernel.DMMA, n, smCount, blocksPerSm) * DMMA_RATE_OVER_WIDE
        > fill(ProductKernel.DMMA_WIDE, n, smCount, blocksPerSm);
  }

  private static double fill(ProductKernel k, int n, int smCount,
      ToIntFunction<ProductKernel> blocksPerSm) {
    return new IdealSchedule(k.geometry.blocks(n), smCount,
        Math.max(1, blocksPerSm.applyAsInt(k))).smFill();
  }

  /**
   * Why {@code chosen} runs, for the commitment's kernel.reason: each kernel tried before it
   * and why not, and the grid fill where it changed the order. At most {@link Limits#MAX_TEXT}
   * characters.
   *
   * @param order what {@link #order} gave
   * @param refusal a tensor-core kernel's probe verdict on this GPU: why not, if refused
   */
  static String reason(ProductKernel chosen, List<ProductKernel> order, int n, int smCount,
      String computeCapability, boolean tensorCores, ToIntFunction<ProductKernel> blocksPerSm,
      Function<ProductKernel, Optional<String>> refusal) {
    List<String> why = new ArrayList<>();
    if (order.indexOf(ProductKernel.DMMA) < order.indexOf(ProductKernel.DMMA_WIDE)) {
      why.add(String.format(Locale.ROOT, "grid fill on %d SMs: %s (%s) keeps %.0f%% of the SM"
          + " time at work, %s (%s) %.0f%%", smCount, ProductKernel.DMMA_WIDE.monitored.entry,
          Counts.count(ProductKernel.DMMA_WIDE.geometry.blocks(n), "block"),
          100 * fill(ProductKernel.DMMA_WIDE, n, smCount, blocksPerSm),
          ProductKernel.DMMA.monitored.entry,
          Counts.count(ProductKernel.DMMA.geometry.blocks(n), "block"),
          100 * fill(ProductKernel.DMMA, n, smCount, blocksPerSm)));
    }
    if (!tensorCores && !chosen.tensorCores()) {
      why.add("compute capability " + computeCapability + " has no FP64 tensor cores (8.0 and"
          + " up)");
    }
    for (ProductKernel k : order) {
      if (k == chosen || !tensorCores) {
        break;
      }
      if (!k.tensorCores()) {
        continue;
      }
      String entry = k.monitored.entry;
      if (!k.fits(n)) {
        why.add("n = " + n + " is not a multiple of " + entry + "'s tile (" + k.tile + ")");
      } else {
        refusal.apply(k).ifPresent(r -> why.add(entry + " refused: " + r));
      }
    }
    String text = chosen.monitored.entry + ": " + (why.isEmpty()
        ? "the fastest kernel for this GPU at n = " + n : String.join("; ", why));
    return text.length() <= Limits.MAX_TEXT ? text : text.substring(0, Limits.MAX_TEXT - 3)
        + "...";
  }
}
