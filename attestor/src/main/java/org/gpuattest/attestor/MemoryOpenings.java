package org.gpuattest.attestor;

import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.MemoryOpening;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;

/**
 * The memory elements of one kept C(g, t)'s openings (docs/protocol.md §2.2, §4.4): for a pass
 * p, y_p(t) = C(g, t) x v_p computed anew on the prepared device, its root checked against the
 * s_p(g, t) the memory phase committed, and the paths of an element under it and of it under
 * m_p(g). Each pass's y_p(t) is computed once, however many of its rows are asked for.
 */
final class MemoryOpenings {
  private final ProverState state;
  private final int g;
  private final int t;
  private final Device device;
  private final Map<Integer, double[]> vectors = new HashMap<>();

  MemoryOpenings(ProverState state, int g, int t, Device device) {
    this.state = state;
    this.g = g;
    this.t = t;
    this.device = device;
  }

  MemoryOpening open(int p, int row) throws BackendException {
    ProverState.Memory m = state.memory();
    ChallengeMemory terms = state.challenge().memory();
    int n = state.challenge().dim();
    int k = t - terms.first(state.challenge().iterations());
    double[] y = vectors.get(p);
    byte[] committed = m.vectorRoots()[g][p][k];
    if (y == null) {
      byte[] previous = p == 0 ? Reference.deviceRoot(state.matrixRoots(g))
          : m.memoryRoots()[g][p - 1];
      y = device.memoryProduct(t, MemoryPass.key(m.seed(), g, p, previous));
      byte[] root = MemoryPass.vectorRoot(y, 0, n);
      if (!MessageDigest.isEqual(root, committed)) {
        throw new BackendException("device " + g + " recomputed s_" + p + "(" + g + "," + t
            + ") = " + Hex.encode(root) + " but committed " + Hex.encode(committed)
            + ": the backend is not deterministic; refusing to open");
      }
      vectors.put(p, y);
    }
    byte[][] vectorPath = MerkleTree.auditPath(row, MemoryPass.leaves(y, 0, n));
    byte[][] memoryPath = MerkleTree.auditPath(k,
        MemoryPass.vectorRootLeaves(m.vectorRoots()[g][p]));
    return new MemoryOpening(p, MemoryOpening.bits(y[row]), Hex.encode(committed),
        Opener.hex(vectorPath), Opener.hex(memoryPath));
  }
}
