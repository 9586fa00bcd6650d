package org.gpuattest.validator.attack;

import static org.gpuattest.validator.attack.Verdicts.assertFailsOnly;
import static org.gpuattest.validator.attack.Verdicts.assertPasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on what binds a result to one challenge: replayed commitments and verdicts, expired
 * challenges, forged or altered signatures, and openings for another commitment.
 */
class BindingAttacksTest {
  @TempDir Path dir;

  @Test
  void sample_oldCommitmentForNewChallenge_refusedBeforeSampling() throws Exception {
    Harness h = new Harness(dir, 41);
    TestProver p = h.prover(Hardware.H100, Cheats.HONEST);
    Commitment old = p.commit(h.challenge(Harness.Shape.SMALL).decodedChallenge());
    Session second = h.challenge(Harness.Shape.SMALL);
    h.clock.advance(Harness.HONEST_ELAPSED);
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> h.validator.sample(second, MessageCodec.encode(old)));
    assertTrue(e.getMessage().contains("answers another challenge"), e.getMessage());
  }

  /** A tampered session store that records another challenge's commitment and request. */
  @Test
  void verify_sessionHoldingOldCommitment_failsChallengeBinding() throws Exception {
    Harness h = new Harness(dir, 42);
    TestProver p = h.prover(Hardware.H100, Cheats.HONEST);
    Session first = h.challenge(Harness.Shape.SMALL);
    Commitment old = p.commit(first.decodedChallenge());
    Session second = h.challenge(Harness.Shape.SMALL);
    h.clock.advance(Harness.HONEST_ELAPSED);
    Session sampledFirst = h.validator.sample(first, MessageCodec.encode(old));
    Session tampered = second.withCommitment(sampledFirst.commitment(),
        sampledFirst.received(), Hex.decode("seed", sampledFirst.samplingSeed(), 32),
        sampledFirst.request());
    Openings o = p.open(tampered.decodedRequest());
    Verdict v = h.validator.verify(tampered, MessageCodec.encode(o),
        new org.gpuattest.validator.check.Evidence.Options(false,
            java.util.Optional.empty()));
    // The old seed's rows are not this challenge's rows either.
    assertFailsOnly(v, "answers another challenge", "challenge.binding", "openings.exact");
    assertEquals(old.challengeDigest(), v.check("challenge.binding").measured());
  }

  @Test
  void verify_sameSessionTwice_secondFailsChallengeReplay() throws Exception {
    Harness h = new Harness(dir, 42);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST));
    assertPasses(run.verdict());
    Verdict again = run.verifyAgain();
    assertFailsOnly(again, "already verified on this host", "challenge.replay");
    assertTrue(again.check("challenge.replay").measured().contains("seen before"));
  }

  @Test
  void verify_sameSessionAfterRestart_failsChallengeReplay() throws Exception {
    Harness h = new Harness(dir, 43);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST));
    assertPasses(run.verdict());
    // A new validator process: new objects, the same replay folder.
    Validator restarted = new Validator(h.profiles, new ReplayStore(h.replayDir),
        Harness.seeded(99), h.clock);
    Verdict again = restarted.verify(run.sampled, MessageCodec.encode(run.openings),
        run.options());
    assertFailsOnly(again, "already verified on this host", "challenge.replay");
  }

  @Test
  void sample_secondCommitmentForSameSession_refused() throws Exception {
    Harness h = new Harness(dir, 44);
    Harness.Run run = h.run(h.prover(Hardware.H100, Cheats.HONEST));
    run.verdict();
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> h.validator.sample(run.sampled, MessageCodec.encode(run.commitment)));
    assertTrue(e.getMessage().contains("each challenge takes one commitment"), e.getMessage());
  }

  @Test
  void verify_expiredChallenge_failsChallengeExpiry() throws Exception {
    Harness h = new Harness(dir, 45);
    Harness.Run run = h.run(h.prover(Hardware.CPU, Cheats.HONEST)).allowCpu()
        .elapsed(Duration.ofMinutes(5));
    Verdict v = run.verdict();
    assertTrue(run.sampled.received().isAfter(run.issued.decodedChallenge().value().expires()));
    assertFailsOnly(v, "arrived after the challenge expired", "challenge.expiry");
  }

  /** A challenge whose validator signature was swapped after issue (a tampered session store). */
  @Test
  void verify_challengeSignatureSwapped_failsSignatureChallenge() throws Exception {
    Harness h = new Harness(dir, 49);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .signChallenge(Harness.key("validator"))
        .issued(Tamper::swapChallengeSignature).verdict();
    assertFailsOnly(v, "does not verify", "signature.challenge");
  }

  @Test
  void verify_flippedSignatureByte_failsSignatureProver() throws Exception {
    Harness h = new Harness(dir, 46);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .commitment(c -> Tamper.flipSignatureByte(c, 10)).verdict();
    assertFailsOnly(v, "forged or altered", "signature.prover");
  }

  @Test
  void verify_deviceFieldAlteredAfterSigning_failsSignatureProver() throws Exception {
    Harness h = new Harness(dir, 47);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .commitment(c -> Tamper.device(c, 1, r -> Reports.memoryBytes(r, 94L << 30)))
        .verdict();
    assertFailsOnly(v, "forged or altered", "signature.prover");
  }

  @Test
  void verify_rootReplacedAfterSigning_failsBindingSignatureAndOpenings() throws Exception {
    Harness h = new Harness(dir, 48);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .commitment(c -> Tamper.device(c, 0, r -> r.withRoot(c.devices().get(1).root())))
        .verdict();
    assertFailsOnly(v, "altered after it was made", "challenge.binding", "signature.prover",
        "devices.roots-distinct", "openings.exact");
  }

  /** The keys are named by their ids, as everywhere else, not as 64 hex digits. */
  @Test
  void verify_pinnedKeyMismatch_failsSignatureProverNamingBothKeyIds() throws Exception {
    Harness h = new Harness(dir, 49);
    Ed25519PublicKey pinned = Harness.key("some other prover").publicKey();
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).pin(pinned).verdict();
    assertFailsOnly(v, "signed by a key other than the pinned --prover-key",
        "signature.prover");
    assertEquals("key " + h.proverKey.publicKey().keyId(),
        v.check("signature.prover").measured());
    assertEquals("key " + pinned.keyId() + " (pinned)",
        v.check("signature.prover").expected());
  }

  @Test
  void verify_openingsForAnotherCommitment_failsChallengeBinding() throws Exception {
    Harness h = new Harness(dir, 50);
    String other = "ab".repeat(32);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST))
        .openings(o -> new Openings(1, o.challengeDigest(), other, o.openings())).verdict();
    assertFailsOnly(v, "answer a different commitment", "challenge.binding");
  }
}
