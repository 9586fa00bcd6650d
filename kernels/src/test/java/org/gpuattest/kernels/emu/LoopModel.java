package org.gpuattest.kernels.emu;

import org.gpuattest.kernels.cuda.KernelGeometry;

/**
 * The prove loop's iteration in steady state (PipelinedLoop.batch), from its kernels' predicted
 * times. The fill of A(t) and the product C(t) run on one stream; the row hashing and the tree
 * of t on a hashing stream, after C(t) is ready, beside the products that follow; C(t)'s buffer
 * is written again by the product K iterations later, which waits for t's hashing to end. So
 * with K buffers (and, for the pipelined loop, K hashing streams, so hashings overlap each
 * other) the product of t + K starts no earlier than P(t) + H, H the hashing's time:
 *
 * <pre>
 *   T = max(fill + product + blocked, (H + product) / K)      K hashing streams
 *   T = max(that, H)                                          one hashing stream
 * </pre>
 *
 * plus H / BATCH, the one hashing per batch that nothing hides (the batch waits for its last
 * root). "blocked" is the tree's time where its CTA cannot sit on an SM beside a product CTA
 * (then that SM runs no product block while the tree runs); where not even a row-hashing CTA
 * fits beside the product's, nothing overlaps. The hashing kernels run beside a
 * product, so their warps issue in the slots the product leaves ({@link
 * PerformanceModel#issueShare}).
 */
final class LoopModel {
  private LoopModel() {}

  enum Shape {
    /**
     * The loop before issue 23: 2 C buffers, one hashing stream, one leaves/scratch pair, a
     * tree of 512 threads.
     */
    SERIAL("before (2 C buffers, 1 hashing stream)", 2, true),
    /** The pipelined loop: K C buffers, hashing streams and leaves/scratch pairs. */
    PIPELINED("pipelined", 0, false);

    final String label;
    final int buffers;
    final boolean oneHashStream;

    Shape(String label, int buffers, boolean oneHashStream) {
      this.label = label;
      this.buffers = buffers;
      this.oneHashStream = oneHashStream;
    }
  }

  /**
   * @param micros one iteration, steady state, batch drain included
   * @param hashingAdds micros over fill + product alone, less one
   */
  record Loop(int n, int inFlight, double fill, double product, double rows, double tree,
      boolean treeBlocksProduct, double micros, double hashingAdds) {}

  static Loop loop(ModelTable.Kernels k, KernelProfile product, GpuSpec g, Shape shape)
      throws KernelFault {
    return loop(k, product, g, shape,
        shape.buffers > 0 ? shape.buffers : KernelGeometry.inFlight(k.n()));
  }

  static Loop loop(ModelTable.Kernels k, KernelProfile product, GpuSpec g, Shape shape,
      int inFlight) throws KernelFault {
    KernelProfile treeProfile = shape == Shape.SERIAL ? ModelTable.treeBefore(k.n()) : k.tree();
    double fill = PerformanceModel.predict(k.fill(), g).micros();
    double prod = PerformanceModel.predict(product, g).micros();
    double taken = PerformanceModel.issueShare(product, g);
    double rows = PerformanceModel.predict(k.rows(), g, taken).micros();
    double tree = PerformanceModel.predict(treeProfile, g, taken).micros();
    boolean blocks = !PerformanceModel.fitsBeside(g, product, treeProfile);
    double hashing = rows + tree;
    double t = Math.max(fill + prod + (blocks ? tree : 0), (hashing + prod) / inFlight);
    if (!PerformanceModel.fitsBeside(g, product, k.rows())) {
      t = Math.max(t, fill + prod + hashing); // no SM has room for a row-hashing CTA
    }
    if (shape.oneHashStream) {
      t = Math.max(t, hashing);
    }
    t += hashing / batch();
    return new Loop(k.n(), inFlight, fill, prod, rows, tree, blocks, t, t / (fill + prod) - 1);
  }

  /** Iterations per batch (CudaDevice.BATCH), read through KernelGeometry. */
  static int batch() {
    return KernelGeometry.BATCH;
  }
}
