package org.gpuattest.validator.attack;

import org.gpuattest.common.spec.CanonicalProduct;

/**
 * Ways a prover may compute C = A x B: the canonical ascending-k FMA chain (canonical-v1,
 * "Product") and the shortcuts the spec forbids, each close to it but not bit-exact.
 */
public final class Products {
  /** C = A x B for n x n row-major operands; writes all of c. */
  @FunctionalInterface
  public interface Product {
    void multiply(double[] a, double[] b, int n, double[] c);
  }

  /** The honest chain, via the reference implementation in common. */
  public static final Product CANONICAL = (a, b, n, c) -> CanonicalProduct.multiply(a, n, b, n, c);

  /** FP32 instead of FP64: operands rounded to float, float FMA chain, widened back. */
  public static final Product FP32 = (a, b, n, c) -> {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        float acc = 0.0f;
        for (int k = 0; k < n; k++) {
          acc = Math.fma((float) a[i * n + k], (float) b[k * n + j], acc);
        }
        c[i * n + j] = acc;
      }
    }
  };

  /** Another summation order: the FMA chain in descending k. */
  public static final Product DESCENDING_K = (a, b, n, c) -> {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double acc = 0.0;
        for (int k = n - 1; k >= 0; k--) {
          acc = Math.fma(a[i * n + k], b[k * n + j], acc);
        }
        c[i * n + j] = acc;
      }
    }
  };

  /** Ascending k but a rounded multiply then a rounded add (no fused multiply-add). */
  public static final Product MUL_THEN_ADD = (a, b, n, c) -> {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double acc = 0.0;
        for (int k = 0; k < n; k++) {
          double p = a[i * n + k] * b[k * n + j];
          acc = acc + p;
        }
        c[i * n + j] = acc;
      }
    }
  };

  private Products() {}
}
