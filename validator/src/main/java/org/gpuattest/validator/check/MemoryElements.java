package org.gpuattest.validator.check;

import java.util.HashMap;
import java.util.Map;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.merkle.InclusionProof;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.DeviceMemoryRoots;
import org.gpuattest.common.message.MemoryOpening;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.util.Hex;

/**
 * Checks opened elements of one device's memory passes (docs/protocol.md section 8.2): the
 * validator computes y_p(t)[i] itself, as the ascending FMA chain of the row of C(g, t) it
 * recomputed for the product check with v_p (derived from the memory seed and m_{p-1}(g), or
 * R(g) for the first pass), then requires the element sent to equal it bit for bit, its leaf's
 * path to reach s_p(g, t), and s_p(g, t)'s path to reach m_p(g). The cost is one dot product
 * per element, and n Philox elements per pass opened on the device.
 */
final class MemoryElements {
  private final Challenge c;
  private final int g;
  private final byte[] deviceRoot;
  private final byte[] seed;
  private final DeviceMemoryRoots roots;
  private final Map<Integer, double[]> vectors = new HashMap<>();

  /** For device g, whose memory roots are bound ({@link MemoryChecks#binding}). */
  MemoryElements(Challenge c, int g, byte[] deviceRoot, Evidence.Memory memory) {
    this.c = c;
    this.g = g;
    this.deviceRoot = deviceRoot;
    this.seed = memory.seed();
    this.roots = memory.roots().devices().get(g);
  }

  /**
   * @param row the recomputed row i of C(g, t) at {@code computed[off..off+n)}
   * @throws VerificationException the element differs, or a path does not verify
   */
  void verify(String what, Opening o, double[] computed, int off) throws VerificationException {
    MemoryOpening m = o.memory();
    int n = c.dim();
    int p = m.pass();
    double[] v = vectors.computeIfAbsent(p, pass -> MemoryPass.vector(seed, g, pass,
        pass == 0 ? deviceRoot : roots.root(pass - 1), n));
    double y = MemoryPass.dot(computed, off, n, v);
    String element = what + ", pass " + p;
    if (Double.doubleToRawLongBits(y) != Double.doubleToRawLongBits(m.y())) {
      throw new VerificationException(element + ": y = " + m.value() + " sent, "
          + MemoryOpening.bits(y) + " computed");
    }
    ChallengeMemory terms = c.memory();
    byte[] vectorRoot = Hex.decode("memory.vectorRoot", m.vectorRoot(), 32);
    InclusionProof.verify(element + " (element in s_p(g,t))", o.row(), n, MemoryPass.leaf(y),
        Opening.decodePath(m.vectorPath()), vectorRoot);
    InclusionProof.verify(element + " (s_p(g,t) in m_p(g))",
        o.iteration() - terms.first(c.iterations()), terms.kept(),
        MerkleTree.leafHash(vectorRoot), Opening.decodePath(m.memoryPath()), roots.root(p));
  }
}
