package org.gpuattest.common.schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryOpening;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;

/**
 * The memory phase of {@link ExampleMessages}' run (docs/protocol.md §2.2): both iterations
 * kept, {@link #PASSES} passes, the seed SHA-256("gpu-attest example memory seed"). Every
 * product, vector and root is computed from the definitions in {@link MemoryPass} and {@link
 * Reference}.
 */
final class ExampleMemory {
  static final int PASSES = 3;
  static final ChallengeMemory TERMS = new ChallengeMemory(1, ExampleMessages.ITERATIONS, PASSES);
  /** The pass opened with each of ExampleMessages.SAMPLES, in order: fixed, not drawn. */
  static final int[] OPENED_PASSES = {1, 0, 2, 1};

  private final PhiloxKey key;
  private final int n;
  private final byte[] seed = Bytes.sha256(
      "gpu-attest example memory seed".getBytes(StandardCharsets.US_ASCII));
  /** [g][t] C(g, t); [g][p] m_p(g); [g][p][t] s_p(g, t). */
  private final double[][][] products;
  private final byte[][][] memoryRoots;
  private final byte[][][][] vectorRoots;

  /** Runs the passes of every device from its committed root R(g). */
  ExampleMemory(PhiloxKey key, int n, byte[][] deviceRoots) {
    this.key = key;
    this.n = n;
    int devices = deviceRoots.length;
    products = new double[devices][][];
    memoryRoots = new byte[devices][PASSES][];
    vectorRoots = new byte[devices][PASSES][][];
    for (int g = 0; g < devices; g++) {
      double[] b = Operands.matrixB(key, g, n);
      products[g] = new double[TERMS.kept()][];
      for (int t = 0; t < TERMS.kept(); t++) {
        products[g][t] = Reference.matrix(key, g, t, n, b);
      }
      byte[] previous = deviceRoots[g];
      for (int p = 0; p < PASSES; p++) {
        vectorRoots[g][p] = MemoryPass.vectorRoots(List.of(products[g]), n, vector(g, p,
            previous));
        memoryRoots[g][p] = MemoryPass.memoryRoot(vectorRoots[g][p]);
        previous = memoryRoots[g][p];
      }
    }
  }

  private double[] vector(int g, int p, byte[] previous) {
    return MemoryPass.vector(seed, g, p, previous, n);
  }

  MemorySeed seed(Commitment c) {
    return new MemorySeed(1, c.commitmentDigest(), Hex.encode(seed));
  }

  MemoryRoots roots(Commitment c, Ed25519PrivateKey proverKey) {
    return MemoryRoots.sign(Hex.decode("challengeDigest", c.challengeDigest(), 32),
        Hex.decode("commitmentDigest", c.commitmentDigest(), 32), seed, memoryRoots,
        proverKey);
  }

  /** The element y_p(t)[i] of device g with its paths (all iterations are kept). */
  MemoryOpening open(int g, int t, int i, int p, byte[] deviceRoot) {
    double[] y = new double[n];
    MemoryPass.multiply(products[g][t], 0, n, n,
        vector(g, p, p == 0 ? deviceRoot : memoryRoots[g][p - 1]), y, 0);
    List<String> vectorPath = hex(MerkleTree.auditPath(i, MemoryPass.leaves(y, 0, n)));
    List<String> memoryPath = hex(MerkleTree.auditPath(t,
        MemoryPass.vectorRootLeaves(vectorRoots[g][p])));
    return new MemoryOpening(p, MemoryOpening.bits(y[i]), Hex.encode(vectorRoots[g][p][t]),
        vectorPath, memoryPath);
  }

  /**
   * memory.window after a 5 ms round trip, the roots in 9 ms: inside the window, and, with the
   * bundled H100 profile (3.35 TB/s, FP64 tensor peak 67 TFLOP/s) and defaults (memory
   * tolerance 0.40, commit 0.1 s, host link 0.064 TB/s), proving nothing resident, since a
   * product of n = 64 is cheaper to recompute than to read: an illustration only.
   */
  static Check window(int n) {
    double kept = TERMS.kept() * 8.0 * n * n;
    double expected = PASSES * kept / 3.35e12;
    double max = expected * 1.40 + 0.005 + 0.1;
    double elapsed = 0.009;
    Map<String, Double> f = new LinkedHashMap<>();
    f.put("elapsedSeconds", elapsed);
    f.put("expectedSeconds", expected);
    f.put("maxSeconds", max);
    f.put("passes", (double) PASSES);
    f.put("keptBytes", kept);
    f.put("provenBytes", 0.0);
    f.put("provenTBps", 0.0);
    f.put("shownTBps", PASSES * kept / elapsed / 1e12);
    f.put("roundTripSeconds", 0.005);
    return Check.pass("memory.window", "0.009 s", "<= 0.105 s", "The memory roots arrived"
        + " within the profile's window. Passing proves at least 0.0 GiB of the 0.0 GiB kept"
        + " held in each GPU's own memory and read at 0.00 TB/s or more (this run: 3 passes at"
        + " 0.00 TB/s; provisional: the profile's memory bandwidth is the vendor's figure, not"
        + " yet measured).").withFigures(f);
  }

  static Check exact(int opened) {
    Map<String, Double> f = new LinkedHashMap<>();
    f.put("exact", (double) opened);
    f.put("requested", (double) opened);
    return Check.pass("memory.exact", opened + "/" + opened + " exact", opened + "/" + opened
        + " exact", "Every opened element of the memory passes, computed on this CPU from its"
        + " recomputed row, matches the memory roots bit for bit; the roots answer this"
        + " commitment and the seed sent, signed by its key.").withFigures(f);
  }

  private static List<String> hex(byte[][] path) {
    List<String> out = new ArrayList<>(path.length);
    for (byte[] p : path) {
      out.add(Hex.encode(p));
    }
    return out;
  }
}
