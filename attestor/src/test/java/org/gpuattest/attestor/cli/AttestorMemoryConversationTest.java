package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.LiveProver.ready;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.merkle.InclusionProof;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryOpening;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.MemoryPass;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory phase of {@code attestor prove --conversation} (docs/protocol.md §3.2): after its
 * commitment the prover takes the memory seed, answers with memory roots signed by its key
 * that equal canonical-v1's passes over the kept products, and opens elements of the passes
 * asked for; a seed for another commitment is bad input (exit 2).
 */
class AttestorMemoryConversationTest {
  @TempDir Path dir;

  private static Challenge challenge(int dim, int iterations, int devices, ChallengeMemory m) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Challenge(1, Hex.encode(AttestorCliHarness.random(16)),
        Hex.encode(AttestorCliHarness.random(32)), dim, iterations, devices,
        AttestorCliHarness.MODEL, now.minusSeconds(60).toString(),
        now.plusSeconds(600).toString(), 8, m, null, null);
  }

  private static Commitment go(LiveProver p, Challenge c) throws Exception {
    ready(p, c);
    p.send("go " + MessageCodec.encode(c));
    return MessageCodec.decode("commitment", p.answer(), Commitment.class).value();
  }

  @Test
  void conversation_withMemory_answersTheSeedWithTheCanonicalPassesAndOpensThem()
      throws Exception {
    ChallengeMemory terms = new ChallengeMemory(1, 2, 3); // iterations 2 and 3 of 4
    Challenge c = challenge(64, 4, 2, terms);
    byte[] seed = AttestorCliHarness.random(32);
    try (LiveProver p = new LiveProver(dir)) {
      Commitment commitment = go(p, c);
      p.send("memory " + MessageCodec.encode(new MemorySeed(1, commitment.commitmentDigest(),
          Hex.encode(seed))));
      MemoryRoots roots = MessageCodec.decode("memory roots", p.answer(), MemoryRoots.class)
          .value();
      assertEquals(commitment.commitmentDigest(), roots.commitmentDigest());
      assertEquals(Hex.encode(seed), roots.memorySeed());
      assertEquals(roots.memoryDigest(), Hex.encode(roots.recomputedDigest()));
      Ed25519PublicKey.fromPem("key", commitment.proverPublicKey())
          .verify("memory roots", roots.signingBytes(), roots.signature());
      PhiloxKey key = c.philoxKey();
      for (int g = 0; g < 2; g++) {
        double[] b = Operands.matrixB(key, g, 64);
        List<double[]> kept = List.of(Reference.matrix(key, g, 2, 64, b),
            Reference.matrix(key, g, 3, 64, b));
        byte[] previous = commitment.devices().get(g).rootBytes();
        for (int pass = 0; pass < 3; pass++) {
          byte[] m = MemoryPass.memoryRoot(MemoryPass.vectorRoots(kept, 64,
              MemoryPass.vector(seed, g, pass, previous, 64)));
          assertArrayEquals(m, roots.devices().get(g).root(pass), "m_" + pass + "(" + g + ")");
          previous = m;
        }
      }
      List<Sample> samples = List.of(new Sample(0, 1, 7), new Sample(0, 3, 5, 0),
          new Sample(1, 2, 63, 2), new Sample(1, 3, 0, 1));
      p.send(MessageCodec.encode(new OpeningRequest(1, commitment.challengeDigest(),
          commitment.commitmentDigest(), samples)));
      Openings o = MessageCodec.decode("openings", p.answer(), Openings.class).value();
      List<Sample> answered = new ArrayList<>();
      for (Opening opening : o.openings()) {
        answered.add(opening.sample());
      }
      assertEquals(samples, answered);
      for (Opening opening : o.openings().subList(1, 4)) {
        checkElement(c, commitment, roots, seed, opening);
      }
      assertEquals(ExitCodes.OK, p.exit(), p.err::toString);
      assertTrue(p.err.toString().contains("attestor: memory phase: 3 passes over 2 iterations"
          + " of kept products per device"), p.err::toString);
    }
  }

  /** The element, recomputed from the definition, and both its paths. */
  private static void checkElement(Challenge c, Commitment commitment, MemoryRoots roots,
      byte[] seed, Opening o) throws Exception {
    MemoryOpening m = o.memory();
    int g = o.device();
    byte[] previous = m.pass() == 0 ? commitment.devices().get(g).rootBytes()
        : roots.devices().get(g).root(m.pass() - 1);
    double[] v = MemoryPass.vector(seed, g, m.pass(), previous, c.dim());
    PhiloxKey key = c.philoxKey();
    double[] row = Reference.matrix(key, g, o.iteration(), c.dim(),
        Operands.matrixB(key, g, c.dim()));
    double y = MemoryPass.dot(row, o.row() * c.dim(), c.dim(), v);
    assertEquals(MemoryOpening.bits(y), m.value());
    byte[] vectorRoot = Hex.decode("vectorRoot", m.vectorRoot(), 32);
    InclusionProof.verify("element", o.row(), c.dim(), MemoryPass.leaf(y),
        Opening.decodePath(m.vectorPath()), vectorRoot);
    InclusionProof.verify("vector root", o.iteration() - 2, 2, MerkleTree.leafHash(vectorRoot),
        Opening.decodePath(m.memoryPath()), roots.devices().get(g).root(m.pass()));
  }

  /**
   * A kept set the prover cannot hold is refused before ready, never after the seed: exit 3,
   * one line naming the device and the bytes, and no line on stdout (tests run with -Xmx2g;
   * 64 products of n = 2048 are 2 GiB).
   */
  @Test
  void conversation_keptSetLargerThanTheHeap_exits3BeforeReady() throws Exception {
    Challenge c = challenge(2048, 64, 1, new ChallengeMemory(1, 64, 1));
    try (LiveProver p = new LiveProver(dir)) {
      p.send(LiveProver.prepare(c));
      assertEquals(ExitCodes.RUNTIME, p.exit(), p.err::toString);
      assertTrue(p.stdout.isEmpty(), () -> "answered: " + p.stdout);
      assertTrue(p.lastErrLine().contains("cpu backend: device 0 cannot keep its products for"
          + " the memory phase (2048.0 MiB each device, n=2048)"), p.lastErrLine());
    }
  }

  /** The separate 'prove --challenge' has no memory step: such a challenge is bad input. */
  @Test
  void proveChallenge_withAMemoryPhase_isBadInputBeforeAnyWork() {
    Challenge c = challenge(64, 2, 1, new ChallengeMemory(1, 1, 2));
    AttestorCliHarness.run("prove", "--challenge", MessageCodec.encode(c), "--backend", "cpu",
        "--state", dir.resolve("state").toString())
        .assertBadInput("challenge: it asks for a memory phase, which only the attest"
            + " conversation runs");
  }

  @Test
  void conversation_memorySeedForAnotherCommitment_isBadInput() throws Exception {
    Challenge c = challenge(64, 2, 1, new ChallengeMemory(1, 1, 2));
    try (LiveProver p = new LiveProver(dir)) {
      go(p, c);
      p.send("memory " + MessageCodec.encode(new MemorySeed(1, "ab".repeat(32),
          "00".repeat(32))));
      assertEquals(ExitCodes.BAD_INPUT, p.exit(), p.err::toString);
      assertTrue(p.lastErrLine().contains("memory: the seed follows commitment abab"),
          p.lastErrLine());
    }
  }

  @Test
  void conversation_openingRequestWhereTheMemorySeedBelongs_isBadInput() throws Exception {
    Challenge c = challenge(64, 2, 1, new ChallengeMemory(1, 1, 2));
    try (LiveProver p = new LiveProver(dir)) {
      Commitment commitment = go(p, c);
      p.send(MessageCodec.encode(new OpeningRequest(1, commitment.challengeDigest(),
          commitment.commitmentDigest(), List.of(new Sample(0, 0, 0)))));
      assertEquals(ExitCodes.BAD_INPUT, p.exit(), p.err::toString);
      assertTrue(p.lastErrLine().contains("expected 'memory ...'"), p.lastErrLine());
    }
  }
}
