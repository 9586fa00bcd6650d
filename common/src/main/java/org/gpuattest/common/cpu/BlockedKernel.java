package org.gpuattest.common.cpu;

/**
 * The loop nest both CPU kernels share; they differ only in the register tile (a micro-kernel
 * of {@code tileRows} rows by {@code width} columns, held in registers across a block of k).
 *
 * <p>Order of work, none of which touches one element's chain (see {@link CanonicalKernel}):
 * k in blocks of {@link #K_BLOCK}, ascending, with the partial sums carried in C between
 * blocks; within a k-block, each strip of {@code width} columns of the packed panel (K_BLOCK x
 * width doubles, about 32 KiB for the vector kernel, so it stays in L1 while every row tile
 * reads it); within a strip, every tile of rows. A is repacked k-major per row tile once per
 * call, so a micro-kernel reads its tileRows values of A for one k from one cache line rather
 * than from tileRows rows n doubles apart (rows 4 KiB apart alias in L1 and made the vector
 * kernel 20 times slower at n = 512 on half of all runs).
 */
abstract class BlockedKernel implements CanonicalKernel {
  /** Values of k per block: the vector kernel's panel slice is then 128 x 32 x 8 B = 32 KiB. */
  static final int K_BLOCK = 128;

  final int tileRows;
  final int width;

  BlockedKernel(int tileRows, int width) {
    this.tileRows = tileRows;
    this.width = width;
  }

  @Override
  public PackedPanel panel(int kn, int n) {
    return new PackedPanel(kn, n, width);
  }

  @Override
  public void accumulate(double[] a, int aOff, int aStride, int rows, PackedPanel b, double[] c,
      int cOff, int cStride) {
    if (b.width != width) {
      throw new IllegalArgumentException("panel packed " + b.width + " wide for a kernel "
          + width + " wide (" + name() + ")");
    }
    int kn = b.kn;
    int tiles = rows / tileRows;
    double[] ap = packA(a, aOff, aStride, tiles, kn);
    int tail = b.n - b.strips * width;
    for (int k0 = 0; k0 < kn; k0 += K_BLOCK) {
      int kb = Math.min(K_BLOCK, kn - k0);
      for (int s = 0; s < b.strips; s++) {
        int bo = s * kn * width + k0 * width;
        int co = cOff + s * width;
        for (int t = 0; t < tiles; t++) {
          tile(ap, t * tileRows * kn + k0 * tileRows, b.data, bo, kb, c,
              co + t * tileRows * cStride, cStride);
        }
        for (int r = tiles * tileRows; r < rows; r++) {
          row(a, aOff + r * aStride + k0, b.data, bo, kb, c, co + r * cStride);
        }
      }
      for (int r = 0; r < rows && tail > 0; r++) {
        int ar = aOff + r * aStride;
        int cr = cOff + r * cStride + b.strips * width;
        for (int j = 0; j < tail; j++) {
          double acc = c[cr + j];
          for (int k = k0; k < k0 + kb; k++) {
            acc = Math.fma(a[ar + k], b.data[b.tailOffset + k * tail + j], acc);
          }
          c[cr + j] = acc;
        }
      }
    }
  }

  /** Each tile's rows of A, k-major: ap[t * tileRows * kn + k * tileRows + q] = A[t*R + q][k]. */
  private double[] packA(double[] a, int aOff, int aStride, int tiles, int kn) {
    double[] ap = new double[tiles * tileRows * kn];
    for (int t = 0; t < tiles; t++) {
      int base = t * tileRows * kn;
      for (int q = 0; q < tileRows; q++) {
        int ar = aOff + (t * tileRows + q) * aStride;
        for (int k = 0; k < kn; k++) {
          ap[base + k * tileRows + q] = a[ar + k];
        }
      }
    }
    return ap;
  }

  /**
   * A tileRows x width tile of C over kb values of k: A from ap[ao + k * tileRows + q], B from
   * bp[bo + k * width + x], C[q][x] at c[co + q * cStride + x].
   */
  abstract void tile(double[] ap, int ao, double[] bp, int bo, int kb, double[] c, int co,
      int cStride);

  /** One row of width columns over kb values of k: A from a[ao + k], C at c[co + x]. */
  abstract void row(double[] a, int ao, double[] bp, int bo, int kb, double[] c, int co);
}
