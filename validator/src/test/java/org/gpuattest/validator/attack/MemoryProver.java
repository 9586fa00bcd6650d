package org.gpuattest.validator.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryOpening;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;

/**
 * The memory phase of a single-threaded test prover, built from {@code common} only
 * (docs/protocol.md §2.2): it keeps the canonical products of the kept iterations, runs the
 * passes the seed asks for, signs the memory roots and adds the opened elements to a {@link
 * TestProver}'s openings, except where a {@link Cheat} tells it to lie. A cheat is applied
 * consistently: the roots and the opened elements come from the same wrong vectors, so only
 * the validator's own recomputation can catch it.
 */
public final class MemoryProver {
  /** What this prover's memory phase lies about. */
  public enum Cheat {
    HONEST,
    /** One element of the first kept product differs: a product kept wrong, or lost. */
    ALTERED_PRODUCT,
    /** Each y element a rounded multiply then a rounded add, not the fused chain. */
    UNFUSED,
    /** y = A x (B x v): the same in exact arithmetic, and no kept product needed. */
    REASSOCIATED,
    /** Every pass's vector from R(g), as if passes could start before the previous root. */
    KEYED_FROM_DEVICE_ROOT,
    /** The last kept product's y filled with made-up values: that product was not kept. */
    MADE_UP_VECTOR
  }

  private final Ed25519PrivateKey key;
  private final Cheat cheat;
  private Challenge challenge;
  private byte[] seed;
  /** [g][k] kept C(g, t) by kept index; [g][p][k] y_p(t); [g][p] m_p(g); [g][p][k] s_p. */
  private double[][][] kept;
  private double[][][][] vectors;
  private byte[][][] memoryRoots;

  public MemoryProver(Ed25519PrivateKey key, Cheat cheat) {
    this.key = key;
    this.cheat = cheat;
  }

  /** Runs every device's passes for {@code seed} and signs the memory roots. */
  public MemoryRoots answer(Challenge c, Commitment commitment, MemorySeed memorySeed) {
    challenge = c;
    seed = memorySeed.seedBytes();
    ChallengeMemory m = c.memory();
    int n = c.dim();
    int devices = c.devices();
    int first = m.first(c.iterations());
    PhiloxKey pk = c.philoxKey();
    kept = new double[devices][m.kept()][];
    vectors = new double[devices][m.passes()][m.kept()][];
    memoryRoots = new byte[devices][m.passes()][];
    Random fakes = new Random(0x3e3);
    for (int g = 0; g < devices; g++) {
      double[] b = Operands.matrixB(pk, g, n);
      for (int k = 0; k < m.kept(); k++) {
        kept[g][k] = Reference.matrix(pk, g, first + k, n, b);
      }
      if (cheat == Cheat.ALTERED_PRODUCT) {
        // a change the row's sum cannot round away (one ulp of C could be)
        kept[g][0][3 * n + 5] += 0.5;
      }
      byte[] deviceRoot = commitment.devices().get(g).rootBytes();
      byte[] previous = deviceRoot;
      for (int p = 0; p < m.passes(); p++) {
        double[] v = MemoryPass.vector(seed, g, p,
            cheat == Cheat.KEYED_FROM_DEVICE_ROOT ? deviceRoot : previous, n);
        byte[][] vectorRoots = new byte[m.kept()][];
        for (int k = 0; k < m.kept(); k++) {
          double[] y = product(pk, g, first + k, kept[g][k], b, v, n);
          if (cheat == Cheat.MADE_UP_VECTOR && k == m.kept() - 1) {
            for (int i = 0; i < n; i++) {
              y[i] = fakes.nextGaussian();
            }
          }
          vectors[g][p][k] = y;
          vectorRoots[k] = MemoryPass.vectorRoot(y, 0, n);
        }
        memoryRoots[g][p] = MemoryPass.memoryRoot(vectorRoots);
        previous = memoryRoots[g][p];
      }
    }
    return MemoryRoots.sign(Hex.decode("challengeDigest", commitment.challengeDigest(), 32),
        Hex.decode("commitmentDigest", commitment.commitmentDigest(), 32), seed, memoryRoots,
        key);
  }

  /** y = C(g, t) x v as this prover computes it. */
  private double[] product(PhiloxKey pk, int g, int t, double[] c, double[] b, double[] v,
      int n) {
    double[] y = new double[n];
    switch (cheat) {
      case UNFUSED -> {
        for (int i = 0; i < n; i++) {
          double acc = 0.0;
          for (int j = 0; j < n; j++) {
            acc = acc + c[i * n + j] * v[j];
          }
          y[i] = acc;
        }
      }
      case REASSOCIATED -> {
        double[] bv = new double[n];
        MemoryPass.multiply(b, 0, n, n, v, bv, 0);
        MemoryPass.multiply(Operands.matrixA(pk, g, t, n), 0, n, n, bv, y, 0);
      }
      default -> MemoryPass.multiply(c, 0, n, n, v, y, 0);
    }
    return y;
  }

  /** {@code openings} with the element of each opening whose sample names a pass. */
  public Openings withElements(Openings openings,
      org.gpuattest.common.message.OpeningRequest request) {
    ChallengeMemory m = challenge.memory();
    int first = m.first(challenge.iterations());
    int n = challenge.dim();
    List<Opening> out = new ArrayList<>();
    for (int k = 0; k < openings.openings().size(); k++) {
      Opening o = openings.openings().get(k);
      Integer pass = request.samples().get(k).pass();
      if (pass == null) {
        out.add(o);
        continue;
      }
      int g = o.device();
      int index = o.iteration() - first;
      byte[][] vectorRoots = new byte[m.kept()][];
      for (int i = 0; i < m.kept(); i++) {
        vectorRoots[i] = MemoryPass.vectorRoot(vectors[g][pass][i], 0, n);
      }
      double[] y = vectors[g][pass][index];
      MemoryOpening element = new MemoryOpening(pass, MemoryOpening.bits(y[o.row()]),
          Hex.encode(vectorRoots[index]),
          TestProver.hex(MerkleTree.auditPath(o.row(), MemoryPass.leaves(y, 0, n))),
          TestProver.hex(MerkleTree.auditPath(index,
              MemoryPass.vectorRootLeaves(vectorRoots))));
      out.add(new Opening(g, o.iteration(), o.row(), o.matrixRoot(), o.matrixPath(),
          o.rowPath(), element));
    }
    return new Openings(1, openings.challengeDigest(), openings.commitmentDigest(), out);
  }
}
