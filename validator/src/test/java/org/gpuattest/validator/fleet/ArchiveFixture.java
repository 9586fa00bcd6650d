package org.gpuattest.validator.fleet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ProverFailure;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.attack.Harness;

/**
 * Writes evidence archives in the layout `validator attest|verify --archive` writes (README,
 * "Evidence archive"): {@code DIR/<YYYY-MM-DD>/<challengeId>/} with record.json, session.json
 * and verdict.json, the verdict a real {@link Verdict} written by {@link Json}. Attestations are
 * G = 8 H100s at n = 8192, T = 40, their elapsed time chosen to give the rate asked for.
 */
public final class ArchiveFixture {
  public static final String H100 = "NVIDIA H100 80GB HBM3";
  public static final String A100 = "NVIDIA A100-SXM4-80GB";
  public static final Instant DAY_ONE = Instant.parse("2030-03-01T12:00:00Z");
  static final int DIM = 8192;
  static final int ITERATIONS = 40;

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
    return exchange(label, verdict(prover, model, tflops, "cuda", true), DAY_ONE);
  }

  /** A failed attestation (openings.exact failed) whose timing shows {@code tflops}. */
  public Path failed(String label, String prover, String model, double tflops) {
    return exchange(label, verdict(prover, model, tflops, "cuda", false), DAY_ONE);
  }

  /** A verdict of {@code prover} with its attestation, for the next challenge id. */
  public Verdict verdict(String prover, String model, double tflops, String backend, boolean pass) {
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

  /** A prover failure: no attestation; session.json names the model when {@code model} is. */
  public Path proverFailure(String label, String model) {
    String id = nextId();
    Path folder = exchange(label, ProverFailure.unusable("prove", "commitment",
        new IllegalArgumentException("not base64")).verdict(id), DAY_ONE);
    if (model != null) {
      Challenge c = new Challenge(1, id, "00".repeat(32), DIM, ITERATIONS, 8, model,
          DAY_ONE.toString(), DAY_ONE.plusSeconds(60).toString(), 256, null, null);
      write(folder.resolve("session.json"),
          Json.writeString(Session.issued(MessageCodec.encode(c), DAY_ONE)));
    }
    return folder;
  }

  /** Writes the exchange folder of {@code v}, verified at {@code at}. */
  public Path exchange(String label, Verdict v, Instant at) {
    Path folder = dir.resolve(at.atOffset(ZoneOffset.UTC).toLocalDate().toString())
        .resolve(v.challengeId());
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    write(folder.resolve("record.json"), record(v.challengeId(), label, at));
    write(folder.resolve("verdict.json"), Json.writeString(v));
    return folder;
  }

  /** record.json as the archive writes it; provider null when there is no label. */
  public static String record(String challengeId, String label, Instant at) {
    try {
      ObjectNode r = Json.read("record", "{}".getBytes(StandardCharsets.UTF_8),
          ObjectNode.class);
      r.put("version", 1).put("challengeId", challengeId).put("command", "attest")
          .put("verifiedAt", at.toString()).put("archivedAt", at.plusMillis(5).toString())
          .put("validator", "validator 0.1.0 (canonical-v1, protocol version 1)")
          .put("provider", label);
      r.putObject("options").put("allowCpu", false).put("weakTiming", false)
          .putNull("proverKey");
      r.putNull("proverFailure");
      return Json.writeString(r);
    } catch (BadMessageException e) {
      throw new IllegalStateException(e);
    }
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
