package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The tree merkle_root builds (kernels/src/main/cuda/sha256_merkle.cu) is RFC 6962's
 * (docs/protocol.md section 2), for every leaf count the kernel meets. Shapes, not hashes: fast
 * enough for every m up to 16384. {@link KernelModelsTest} checks the hashes.
 */
class MerkleTreeShapeTest {
  /**
   * merkle_root's bottom-up pairing (node i of the next level pairs 2i and 2i+1, or moves 2i up
   * when it is last) builds exactly RFC 6962's tree, for every leaf count the kernel meets
   * (m = n <= 16384). Nodes are leaf intervals [lo, hi). Both trees are full binary trees over
   * the same ordered leaves, so they are equal when the roots cover [0, m) and every internal
   * node splits where the RFC splits: its left child holds the largest power of two below its
   * size (the RFC's rule, applied at each node from the root down). Checked at every node of
   * every m; and, for m up to 2048, against the RFC's recursion node set by node set.
   */
  @Test
  void bottomUpPairingWithPromotion_givesRfc6962TreeShape_forEveryCountTo16384() {
    for (int m = 1; m <= 16384; m++) {
      int[] lo = new int[m];
      int[] hi = new int[m];
      for (int i = 0; i < m; i++) {
        lo[i] = i;
        hi[i] = i + 1;
      }
      List<Long> nodes = m <= 2048 ? new ArrayList<>() : null;
      int level = m;
      while (level > 1) {
        int next = (level + 1) / 2;
        for (int i = 0; i < next; i++) {
          if (2 * i + 1 < level) {
            int l = lo[2 * i];
            int mid = hi[2 * i];
            int h = hi[2 * i + 1];
            if (lo[2 * i + 1] != mid) {
              fail("m=" + m + ": children not adjacent");
            }
            int size = h - l;
            int split = Integer.highestOneBit(size - 1); // largest power of two below size
            if (mid - l != split) {
              fail("m=" + m + ": node [" + l + "," + h + ") splits at " + mid + ", RFC at "
                  + (l + split));
            }
            if (nodes != null) {
              nodes.add(key(l, mid, h));
            }
            lo[i] = l;
            hi[i] = h;
          } else {
            lo[i] = lo[2 * i];
            hi[i] = hi[2 * i];
          }
        }
        level = next;
      }
      assertEquals(0, lo[0], "m=" + m);
      assertEquals(m, hi[0], "m=" + m);
      if (nodes != null) {
        List<Long> rfc = new ArrayList<>();
        rfcNodes(0, m, rfc);
        assertEquals(m - 1, nodes.size(), "m=" + m);
        assertEquals(new TreeSet<>(rfc), new TreeSet<>(nodes), "m=" + m);
      }
    }
  }

  private static long key(int lo, int mid, int hi) {
    return ((long) lo << 40) | ((long) mid << 20) | hi;
  }

  /** RFC 6962 section 2.1: MTH(D[lo:hi]) splits at the largest power of two below hi - lo. */
  private static void rfcNodes(int lo, int hi, List<Long> out) {
    if (hi - lo <= 1) {
      return;
    }
    int k = Integer.highestOneBit(hi - lo - 1);
    out.add(key(lo, lo + k, hi));
    rfcNodes(lo, lo + k, out);
    rfcNodes(lo + k, hi, out);
  }
}
