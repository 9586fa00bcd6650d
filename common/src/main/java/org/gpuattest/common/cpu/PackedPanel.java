package org.gpuattest.common.cpu;

/**
 * kn rows of an n-column block of B, rearranged so that a kernel reads it sequentially: the
 * first n - n % width columns as strips of {@code width} columns, each strip k-major (element
 * (k, x) of strip s at s * kn * width + k * width + x), then the remaining columns row-major.
 * Packing costs one pass over the block; a kernel reuses it for every row of A, which is why
 * the CPU backend packs B(g) once per device and the validator once per block of B rows.
 */
public final class PackedPanel {
  final double[] data;
  final int kn;
  final int n;
  final int width;
  final int strips;
  final int tailOffset;

  PackedPanel(double[] b, int off, int kn, int n, int width) {
    if (kn < 0 || n < 0 || width < 1) {
      throw new IllegalArgumentException("bad panel shape: kn=" + kn + " n=" + n
          + " width=" + width);
    }
    this.kn = kn;
    this.n = n;
    this.width = width;
    this.strips = n / width;
    this.tailOffset = strips * kn * width;
    this.data = new double[kn * n];
    for (int k = 0; k < kn; k++) {
      int row = off + k * n;
      for (int s = 0; s < strips; s++) {
        System.arraycopy(b, row + s * width, data, s * kn * width + k * width, width);
      }
      int tail = n - strips * width;
      System.arraycopy(b, row + strips * width, data, tailOffset + k * tail, tail);
    }
  }

  /** Rows of B in this panel (the k extent). */
  public int rows() {
    return kn;
  }

  /** Columns of B (and of C). */
  public int columns() {
    return n;
  }

  /** B[k][j] as packed; for tests of the layout. */
  double get(int k, int j) {
    int s = j / width;
    if (s < strips) {
      return data[s * kn * width + k * width + j % width];
    }
    int tail = n - strips * width;
    return data[tailOffset + k * tail + (j - strips * width)];
  }
}
