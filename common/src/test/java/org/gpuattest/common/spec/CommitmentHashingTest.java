package org.gpuattest.common.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.gpuattest.common.merkle.MerkleTree;
import org.junit.jupiter.api.Test;

/**
 * The byte layouts of canonical-v1, "Commitments", rebuilt here with ByteBuffer and
 * MessageDigest: row leaves, matrix roots, device roots and the commitment digest.
 */
class CommitmentHashingTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  @Test
  void leaf_row_isSha256OfZeroAndLittleEndianRawBits() throws Exception {
    double[] row = {1.5, -0.0, Double.MIN_VALUE, -1.0, 0x1.fffffffffffffp-1, 0.0};
    ByteBuffer bb = ByteBuffer.allocate(1 + 8 * row.length).order(ByteOrder.LITTLE_ENDIAN);
    bb.put((byte) 0x00);
    for (double d : row) {
      bb.putLong(Double.doubleToRawLongBits(d));
    }
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(bb.array());
    double[] padded = new double[row.length + 3];
    System.arraycopy(row, 0, padded, 2, row.length);
    assertArrayEquals(expected, RowHash.leaf(padded, 2, row.length));
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(new byte[] {1, 2, 3}); // a dirty digest must be reset
    assertArrayEquals(expected, RowHash.leaf(md, new byte[8 * row.length], padded, 2,
        row.length));
  }

  @Test
  void leaf_negativeZeroVersusPositiveZero_differ() {
    assertFalse(Arrays.equals(RowHash.leaf(new double[] {0.0}, 0, 1),
        RowHash.leaf(new double[] {-0.0}, 0, 1)));
  }

  @Test
  void matrixRoots_smallDevice_areMerkleRootsOfRowLeavesAndDeviceRootOfTheirLeaves() {
    int n = 64;
    int g = 1;
    byte[][] roots = Reference.matrixRoots(KEY, g, n, 3);
    double[] b = Operands.matrixB(KEY, g, n);
    byte[][] matrixLeaves = new byte[3][];
    for (int t = 0; t < 3; t++) {
      double[] c = Reference.matrix(KEY, g, t, n, b);
      byte[][] rows = new byte[n][];
      for (int i = 0; i < n; i++) {
        rows[i] = RowHash.leaf(c, i * n, n);
      }
      assertArrayEquals(MerkleTree.root(rows), roots[t], "r(1," + t + ")");
      matrixLeaves[t] = MerkleTree.leafHash(roots[t]); // each leaf's data is the 32-byte root
    }
    byte[] expected = MerkleTree.nodeHash(MerkleTree.nodeHash(matrixLeaves[0], matrixLeaves[1]),
        matrixLeaves[2]);
    assertArrayEquals(expected, Reference.deviceRoot(roots));
  }

  @Test
  void of_challengeDigestAndRoots_isSha256OfDomainDigestLe32CountAndRoots() throws Exception {
    byte[] challengeDigest = CommitmentDigest.challengeDigest(
        "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
    byte[] r0 = MerkleTree.leafHash(new byte[] {0});
    byte[] r1 = MerkleTree.leafHash(new byte[] {1});
    byte[] r2 = MerkleTree.leafHash(new byte[] {2});
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update("commitment/v1".getBytes(StandardCharsets.US_ASCII));
    md.update(MessageDigest.getInstance("SHA-256")
        .digest("{\"version\":1}".getBytes(StandardCharsets.UTF_8)));
    md.update(new byte[] {3, 0, 0, 0});
    md.update(r0);
    md.update(r1);
    md.update(r2);
    assertArrayEquals(md.digest(), CommitmentDigest.of(challengeDigest, List.of(r0, r1, r2)));
    assertFalse(Arrays.equals(CommitmentDigest.of(challengeDigest, List.of(r0, r1, r2)),
        CommitmentDigest.of(challengeDigest, List.of(r1, r0, r2))), "order matters");
  }
}
