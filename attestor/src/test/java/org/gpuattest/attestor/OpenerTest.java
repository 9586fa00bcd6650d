package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.merkle.InclusionProof;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.spec.SampledRows;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.cpu.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenerTest {
  @TempDir Path state;

  @Test
  void open_afterProve_pathsVerifyAgainstCommittedRoots() throws Exception {
    MessageCodec.Decoded<Challenge> c = ProverTest.challenge(64, 3, 2, Instant.now());
    Commitment commitment = new Prover(new CpuBackend(2), ProverTest.KEY,
        new PrintWriter(new StringWriter()), Clock.systemUTC()).prove(c, List.of(), state);
    List<Sample> samples = List.of(new Sample(1, 2, 63), new Sample(0, 0, 0),
        new Sample(1, 2, 5), new Sample(0, 1, 31));
    Openings openings = new Opener(new CpuBackend(2)).open(new OpeningRequest(1,
        commitment.challengeDigest(), commitment.commitmentDigest(), samples), state);
    assertEquals(samples.size(), openings.openings().size());
    for (int i = 0; i < samples.size(); i++) {
      Opening o = openings.openings().get(i);
      Sample s = samples.get(i);
      assertEquals(s, o.sample(), "answers in request order");
      double[] row = SampledRows.compute(c.value().philoxKey(), s.device(), 64,
          new int[] {s.iteration()}, new int[] {s.row()});
      byte[] matrixRoot = Hex.decode("m", o.matrixRoot(), 32);
      InclusionProof.verify("row", s.row(), 64, RowHash.leaf(row, 0, 64),
          Opening.decodePath(o.rowPath()), matrixRoot);
      InclusionProof.verify("matrix", s.iteration(), 3, MerkleTree.leafHash(matrixRoot),
          Opening.decodePath(o.matrixPath()),
          commitment.devices().get(s.device()).rootBytes());
    }
  }

  @Test
  void open_slowMatrices_progressPrintedAtEveryInterval() throws Exception {
    MessageCodec.Decoded<Challenge> c = ProverTest.challenge(64, 4, 1, Instant.now());
    Commitment commitment = new Prover(FakeBackend.honest(1), ProverTest.KEY,
        new PrintWriter(new StringWriter()), Clock.systemUTC()).prove(c, List.of(), state);
    StringWriter out = new StringWriter();
    List<Sample> samples = List.of(new Sample(0, 0, 1), new Sample(0, 1, 2),
        new Sample(0, 2, 3), new Sample(0, 3, 4));
    new Opener(FakeBackend.slow(1, 200), new PrintWriter(out), Duration.ofMillis(50))
        .open(new OpeningRequest(1, commitment.challengeDigest(),
            commitment.commitmentDigest(), samples), state);
    long ticks = out.toString().lines()
        .filter(l -> l.matches("attestor: open: recomputed \\d of 4 matrices \\(\\d+ s\\)"))
        .count();
    assertTrue(ticks >= 5, out.toString());
  }

  @Test
  void open_unknownCommitment_refusedNamingIt() {
    String digest = "ab".repeat(32);
    BadMessageException e = assertThrows(BadMessageException.class, () ->
        new Opener(new CpuBackend(1)).open(new OpeningRequest(1, digest, digest,
            List.of(new Sample(0, 0, 0))), state));
    assertTrue(e.getMessage().contains(digest), e.getMessage());
  }

  @Test
  void open_damagedState_refusedWithoutTrustingIt() throws Exception {
    MessageCodec.Decoded<Challenge> c = ProverTest.challenge(64, 2, 1, Instant.now());
    Commitment commitment = new Prover(new CpuBackend(1), ProverTest.KEY,
        new PrintWriter(new StringWriter()), Clock.systemUTC()).prove(c, List.of(), state);
    Path roots = state.resolve(commitment.commitmentDigest()).resolve(ProverState.ROOTS);
    Files.write(roots, new byte[5]);
    java.io.IOException e = assertThrows(java.io.IOException.class, () ->
        new Opener(new CpuBackend(1)).open(new OpeningRequest(1, commitment.challengeDigest(),
            commitment.commitmentDigest(), List.of(new Sample(0, 0, 0))), state));
    assertTrue(e.getMessage().contains("damaged"), e.getMessage());
  }
}
