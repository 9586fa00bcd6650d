package org.gpuattest.validator.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.ArchiveTrust;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.EvidenceArchive;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver;

/**
 * Writes evidence archives with the archive's own writer ({@link EvidenceArchive}, signed by
 * {@link #VALIDATOR}): complete exchanges whose session holds a commitment really signed by
 * the prover's key. The verdicts are made up: attestations of G = 8 H100s at n = 8192, T = 40,
 * their elapsed time chosen to give the rate asked for (the fleet report reads the rate from
 * the verdict; the session's small challenge only carries the claim and the prover's key).
 */
public final class ArchiveFixture {
  public static final String H100 = "NVIDIA H100 80GB HBM3";
  public static final String A100 = "NVIDIA A100-SXM4-80GB";
  public static final Instant DAY_ONE = Instant.parse("2030-03-01T12:00:00Z");
  /** The validator that signs the archive. */
  public static final Ed25519PrivateKey VALIDATOR = Harness.key("fleet validator");
  /** Trusts {@link #VALIDATOR} only, unsigned exchanges not. */
  public static final ArchiveTrust TRUST =
      new ArchiveTrust(List.of(VALIDATOR.publicKey()), false, "the test's");
  static final int DIM = 8192;
  static final int ITERATIONS = 40;
  private static final GpuProfiles PROFILES = GpuProfiles.bundled();

  public final Path dir;
  private int next;

  public ArchiveFixture(Path dir) {
    this.dir = dir;
  }

  /** The public key a provider's prover signs with (a fixed test key per name). */
  public static Ed25519PublicKey key(String prover) {
    return Harness.key("fleet " + prover).publicKey();
  }

  /** A passing cuda attestation at {@code tflops} per GPU, by {@code prover}'s key. */
  public Path passed(String label, String prover, String model, double tflops) {
    return exchange(label, prover, verdict(prover, model, tflops, "cuda", true), DAY_ONE);
  }

  /** A failed attestation (openings.exact failed) whose timing shows {@code tflops}. */
  public Path failed(String label, String prover, String model, double tflops) {
    return exchange(label, prover, verdict(prover, model, tflops, "cuda", false), DAY_ONE);
  }

  /** A verdict whose attestation names {@code prover}'s key, for the next challenge id. */
  public Verdict verdict(String prover, String model, double tflops, String backend,
      boolean pass) {
    String id = nextId();
    Ed25519PublicKey k = key(prover);
    double elapsed = 2.0 * DIM * DIM * (double) DIM * ITERATIONS / (tflops * 1e12);
    Attestation a = new Attestation(model, DIM, ITERATIONS, 8, 256, 256, backend, k.toPem(),
        k.keyId(), List.of("GPU-00000000-0000-0000-0000-00000000000" + (next % 10)),
        DAY_ONE.toString(), new Attestation.Throughput(elapsed, null, null, null, null, null,
            Attestation.tflopsPerGpu(DIM, ITERATIONS, elapsed), true, 0.01));
    Check exact = pass
        ? Check.pass("openings.exact", "256/256 exact", "256/256 exact", "Every row matches.")
        : Check.fail("openings.exact", "255/256 exact", "256/256 exact", "A row differs.");
    return Verdict.of(id, List.of(exact), a);
  }

  /**
   * A prover failure at 'prove': no commitment, no openings; the challenge claims
   * {@code model}.
   */
  public Path proverFailure(String label, String model) {
    String id = nextId();
    Verdict v = ProverFailure.unusable("prove", "commitment",
        new IllegalArgumentException("not base64")).verdict(id);
    Session s = Session.issued(challengeText(id, model, DAY_ONE), DAY_ONE);
    return keep(record(id, label, DAY_ONE, new ArchiveRecord.ProverFailureNote("prove",
        ProverFailure.OUTPUT)), s, null, v);
  }

  /**
   * Archives {@code v}, verified at {@code at}, with a session whose commitment {@code prover}
   * signed for a challenge of the verdict's model.
   */
  public Path exchange(String label, String prover, Verdict v, Instant at) {
    String model = v.attestation().model();
    String challenge = challengeText(v.challengeId(), model, at);
    Session s = committed(challenge, prover, at);
    return keep(record(v.challengeId(), label, at, null), s, "b3BlbmluZ3M", v);
  }

  /** Archives a real exchange: its session, openings and verdict, under {@code label}. */
  public Path exchange(String label, Session s, String openings, Verdict v, Instant at) {
    return keep(record(v.challengeId(), label, at, null), s, openings, v);
  }

  /** The folder of each exchange, with the archive's own writer and the fixture's key. */
  private Path keep(ArchiveRecord r, Session s, String openings, Verdict v) {
    try {
      return new EvidenceArchive(dir).keep(new ArchivedExchange(r, s, openings, v), VALIDATOR);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A small challenge of {@code model}: G = 2, n = 64, T = 2, cheap to commit to. */
  static String challengeText(String id, String model, Instant at) {
    return MessageCodec.encode(new Challenge(1, id, "00".repeat(32), 64, 2, 2, model,
        at.toString(), at.plusSeconds(60).toString(), 8, null, null));
  }

  /** The session once {@code prover}'s signed commitment has arrived. */
  static Session committed(String challengeText, String prover, Instant at) {
    try {
      Commitment c = new TestProver(Harness.key("fleet " + prover), TestProver.Hardware.H100,
          TestProver.Cheats.HONEST, PROFILES).commit(MessageCodec.decode("challenge",
              challengeText, Challenge.class));
      OpeningRequest req = new OpeningRequest(1, c.challengeDigest(), c.commitmentDigest(),
          List.of(new Sample(0, 0, 0)));
      return new Session(1, challengeText, at.minusSeconds(20).toString(),
          MessageCodec.encode(c), at.minusSeconds(10).toString(), "11".repeat(32),
          MessageCodec.encode(req));
    } catch (BadMessageException e) {
      throw new IllegalStateException(e);
    }
  }

  /** record.json as 'attest' writes it; provider null when there is no label. */
  public static ArchiveRecord record(String challengeId, String label, Instant at,
      ArchiveRecord.ProverFailureNote failure) {
    return new ArchiveRecord(1, challengeId, ArchiveRecord.ATTEST, at.toString(),
        at.plusMillis(5).toString(), "validator 0.1.0 (canonical-v1, protocol version 1)",
        label, new ArchiveRecord.Options(false, false, null), failure, null);
  }

  String nextId() {
    return String.format("%032x", ++next);
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Instant days(int n) {
    return DAY_ONE.plus(Duration.ofDays(n));
  }
}
