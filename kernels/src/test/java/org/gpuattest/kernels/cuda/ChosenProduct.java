package org.gpuattest.kernels.cuda;

import org.gpuattest.common.gpu.SmArchitecture;

/**
 * For the performance model's tables (kernels test scope): the product kernel a GPU of this
 * many SMs and architecture runs at n when every probe agrees, as ProductChoice orders them
 * ({@link GridFill#order}: fastest first, matmul_dmma first where the wide grid fills fewer
 * SMs), by its entry name.
 */
public final class ChosenProduct {
  private ChosenProduct() {}

  public static String entry(int n, int smCount, SmArchitecture arch) {
    for (ProductKernel k : GridFill.order(n, smCount, p -> p.geometry.blocksPerSm(arch))) {
      if (k.fits(n) && k.geometry.blocksPerSm(arch) > 0) {
        return k.monitored.entry;
      }
    }
    throw new IllegalArgumentException("no product kernel at n=" + n);
  }
}
