package org.gpuattest.common.spec;

import org.gpuattest.common.merkle.MerkleTree;

/**
 * The whole canonical computation on one CPU thread, straight from the spec: the model every
 * backend is tested against, the source of the golden vectors, and what {@code validator spec}
 * prints. Not fast; the CPU backend in {@code kernels} is the fast form of the same bits.
 */
public final class Reference {
  private Reference() {}

  /** C(g, t) = A(g, t) x B(g), row-major n*n, for a B(g) already generated. */
  public static double[] matrix(PhiloxKey key, int g, int t, int n, double[] b) {
    double[] a = Operands.matrixA(key, g, t, n);
    double[] c = new double[n * n];
    CanonicalProduct.multiply(a, n, b, n, c);
    return c;
  }

  /** r(g, t): MTH over the n rows of C(g, t). */
  public static byte[] matrixRoot(double[] c, int n) {
    return MerkleTree.root(RowHash.rowLeaves(c, n));
  }

  /** R(g): MTH over r(g, 0..T-1), each leaf's data the 32-byte matrix root. */
  public static byte[] deviceRoot(byte[][] matrixRoots) {
    return MerkleTree.root(matrixRootLeaves(matrixRoots));
  }

  public static byte[][] matrixRootLeaves(byte[][] matrixRoots) {
    byte[][] leaves = new byte[matrixRoots.length][];
    for (int t = 0; t < leaves.length; t++) {
      leaves[t] = MerkleTree.leafHash(matrixRoots[t]);
    }
    return leaves;
  }

  /** r(g, 0..T-1) of one device. */
  public static byte[][] matrixRoots(PhiloxKey key, int g, int n, int iterations) {
    double[] b = Operands.matrixB(key, g, n);
    byte[][] roots = new byte[iterations][];
    for (int t = 0; t < iterations; t++) {
      roots[t] = matrixRoot(matrix(key, g, t, n, b), n);
    }
    return roots;
  }
}
