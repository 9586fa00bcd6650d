package org.gpuattest.common.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.merkle.InclusionProof;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryOpening;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;

/**
 * The example run's memory phase holds (docs/protocol.md §2.2), checked from the files alone,
 * as a validator would: the memory roots answer the commitment and the seed sent, their digest
 * is their own, the commitment's key signed them, and every opened element is the ascending FMA
 * chain of its row of C(g, t) with v_p, whose leaf's paths reach s_p(g, t) and m_p(g).
 */
class MemoryExampleTest {
  private static final Path EXAMPLES = Path.of("..", "testdata", "examples");

  private static <T> T read(String name, Class<T> type) throws Exception {
    return Json.read(name, Files.readAllBytes(EXAMPLES.resolve(name + ".json")), type);
  }

  @Test
  void examples_memoryPhase_isInternallyConsistent() throws Exception {
    Challenge challenge = read("challenge", Challenge.class);
    Preparation preparation = read("preparation", Preparation.class);
    Commitment commitment = read("commitment", Commitment.class);
    MemorySeed seed = read("memory-seed", MemorySeed.class);
    MemoryRoots roots = read("memory-roots", MemoryRoots.class);
    OpeningRequest request = read("opening-request", OpeningRequest.class);
    Openings openings = read("openings", Openings.class);
    ChallengeMemory terms = challenge.memory();
    assertNotNull(terms);
    assertNull(preparation.differenceFrom(challenge), "the preparation carries the terms");

    assertEquals(commitment.commitmentDigest(), seed.commitmentDigest());
    assertEquals(seed.seed(), roots.memorySeed());
    assertEquals(commitment.commitmentDigest(), roots.commitmentDigest());
    assertEquals(commitment.challengeDigest(), roots.challengeDigest());
    assertEquals(roots.memoryDigest(), Hex.encode(roots.recomputedDigest()));
    assertEquals(commitment.proverPublicKey(), roots.proverPublicKey());
    Ed25519PublicKey.fromPem("proverPublicKey", roots.proverPublicKey())
        .verify("memory roots signature", roots.signingBytes(), roots.signature());

    PhiloxKey key = challenge.philoxKey();
    int n = challenge.dim();
    for (int k = 0; k < openings.openings().size(); k++) {
      Opening o = openings.openings().get(k);
      assertEquals(request.samples().get(k), o.sample());
      MemoryOpening m = o.memory();
      int g = o.device();
      int p = m.pass();
      byte[] previous = p == 0 ? commitment.devices().get(g).rootBytes()
          : roots.devices().get(g).root(p - 1);
      double[] v = MemoryPass.vector(seed.seedBytes(), g, p, previous, n);
      double[] c = Reference.matrix(key, g, o.iteration(), n, Operands.matrixB(key, g, n));
      double y = 0.0; // the chain of docs/protocol.md §2.2, written out
      for (int j = 0; j < n; j++) {
        y = Math.fma(c[o.row() * n + j], v[j], y);
      }
      assertEquals(MemoryOpening.bits(y), m.value(), "element of opening " + k);
      byte[] leaf = Bytes.sha256(MerkleTree.LEAF_PREFIX, le64(Double.doubleToRawLongBits(y)));
      byte[] vectorRoot = Hex.decode("vectorRoot", m.vectorRoot(), 32);
      InclusionProof.verify("element", o.row(), n, leaf, Opening.decodePath(m.vectorPath()),
          vectorRoot);
      InclusionProof.verify("vector root", o.iteration() - terms.first(challenge.iterations()),
          terms.kept(), MerkleTree.leafHash(vectorRoot), Opening.decodePath(m.memoryPath()),
          roots.devices().get(g).root(p));
    }
  }

  private static byte[] le64(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return b;
  }
}
