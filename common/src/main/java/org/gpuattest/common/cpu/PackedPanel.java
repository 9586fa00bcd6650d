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

  /** An empty panel (all +0.0) for kn rows of n columns, strips {@code width} wide. */
  PackedPanel(int kn, int n, int width) {
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
  }

  /**
   * Sets row k (0 <= k < rows()) to the n values at row[off..]. A panel can be refilled this
   * way row by row, as the validator does for each block of B(g): no block-sized copy and no
   * new array per block.
   */
  public void putRow(int k, double[] row, int off) {
    if (k < 0 || k >= kn) {
      throw new IndexOutOfBoundsException("row " + k + " of a panel of " + kn);
    }
    for (int s = 0; s < strips; s++) {
      System.arraycopy(row, off + s * width, data, s * kn * width + k * width, width);
    }
    int tail = n - strips * width;
    System.arraycopy(row, off + strips * width, data, tailOffset + k * tail, tail);
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
