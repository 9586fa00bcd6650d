package org.gpuattest.common.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Ready;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;

/**
 * Writes testdata/examples/*.json: one run of the protocol (n = 64, T = 2, G = 2, two H100s, a
 * memory phase of 3 passes over both iterations ({@link ExampleMemory}), four sampled rows, each
 * with a pass) whose digests, roots, audit paths and signatures are all real, computed by
 * {@link Reference}, {@link org.gpuattest.common.spec.MemoryPass} and the message records. Every input is fixed and Ed25519 signing is
 * deterministic (RFC 8032 section 5.1.6), so the output is byte-for-byte reproducible;
 * SchemaTest fails when the checked-in files differ from it. Each file holds exactly the bytes
 * {@link Json#writeString} gives, so SHA-256 of challenge.json is the challenge digest.
 *
 * <p>Regenerate from the repository root (the command is also in testdata/examples/README.md):
 * {@code mvn -q -pl common test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.gpuattest.common.schema.ExampleMessages}. An argument, if given, is
 * the output directory.
 */
public final class ExampleMessages {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  static final int DIM = 64;
  static final int ITERATIONS = 2;
  static final int DEVICES = 2;
  static final String ISSUED_AT = "2025-06-02T09:30:00Z";
  static final String EXPIRES_AT = "2025-06-02T09:35:00Z";
  static final List<Sample> SAMPLES =
      List.of(new Sample(0, 0, 5), new Sample(0, 1, 63), new Sample(1, 0, 17),
          new Sample(1, 1, 42));

  /** The prover's own CPU work on the clock up to signing: a plausible constant, 1.87 ms. */
  static final long PROVER_CPU_NANOS = 1_873_920L;

  private ExampleMessages() {}

  /** The validator's key: secret SHA-256("gpu-attest example validator key"). */
  static Ed25519PrivateKey validatorKey() {
    return Ed25519PrivateKey.fromSeed(label("gpu-attest example validator key"));
  }

  /** The prover's key: secret SHA-256("gpu-attest example prover key"). */
  static Ed25519PrivateKey proverKey() {
    return Ed25519PrivateKey.fromSeed(label("gpu-attest example prover key"));
  }

  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Path.of(args[0]) : repositoryRoot().resolve("testdata/examples");
    Files.createDirectories(dir);
    for (Map.Entry<String, String> e : generate().entrySet()) {
      Path file = dir.resolve(e.getKey());
      Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      System.err.println("wrote " + file.toAbsolutePath().normalize());
    }
  }

  /** File name to contents, in protocol order. */
  static Map<String, String> generate() {
    Challenge challenge = new Challenge(1, "5d3a9c0e7b2f4a618c9e0d1f2a3b4c5d",
        Hex.encode(label("gpu-attest example challenge seed")), DIM, ITERATIONS, DEVICES, MODEL,
        ISSUED_AT, EXPIRES_AT, SAMPLES.size(), ExampleMemory.TERMS, null, null)
        .signedBy(validatorKey());
    String challengeJson = Json.writeString(challenge);
    byte[] challengeDigest =
        CommitmentDigest.challengeDigest(challengeJson.getBytes(StandardCharsets.UTF_8));

    PhiloxKey key = challenge.philoxKey();
    byte[][][] matrixRoots = new byte[DEVICES][][];
    List<DeviceReport> reports = new ArrayList<>();
    for (int g = 0; g < DEVICES; g++) {
      matrixRoots[g] = Reference.matrixRoots(key, g, DIM, ITERATIONS);
      reports.add(h100(g, Hex.encode(Reference.deviceRoot(matrixRoots[g]))));
    }
    Commitment commitment = Commitment.sign(challengeDigest, reports, PROVER_CPU_NANOS,
        proverKey());
    byte[][] deviceRoots = new byte[DEVICES][];
    for (int g = 0; g < DEVICES; g++) {
      deviceRoots[g] = reports.get(g).rootBytes();
    }
    ExampleMemory memory = new ExampleMemory(key, DIM, deviceRoots);
    MemoryRoots memoryRoots = memory.roots(commitment, proverKey());

    List<Sample> samples = new ArrayList<>();
    for (int k = 0; k < SAMPLES.size(); k++) {
      samples.add(SAMPLES.get(k).withPass(ExampleMemory.OPENED_PASSES[k]));
    }
    OpeningRequest request = new OpeningRequest(1, commitment.challengeDigest(),
        commitment.commitmentDigest(), samples);

    List<Opening> answers = new ArrayList<>();
    for (Sample s : request.samples()) {
      double[] c = Reference.matrix(key, s.device(), s.iteration(), DIM,
          Operands.matrixB(key, s.device(), DIM));
      byte[][] rowLeaves = RowHash.rowLeaves(c, DIM);
      byte[][] rootLeaves = Reference.matrixRootLeaves(matrixRoots[s.device()]);
      answers.add(new Opening(s.device(), s.iteration(), s.row(),
          Hex.encode(matrixRoots[s.device()][s.iteration()]),
          hexPath(MerkleTree.auditPath(s.iteration(), rootLeaves)),
          hexPath(MerkleTree.auditPath(s.row(), rowLeaves)),
          memory.open(s.device(), s.iteration(), s.row(), s.pass(), deviceRoots[s.device()])));
    }
    Openings openings = new Openings(1, request.challengeDigest(), request.commitmentDigest(),
        answers);

    Verdict verdict = Verdict.of(challenge.id(), checks(challenge, commitment, openings),
        attestation(challenge, commitment));

    Map<String, String> files = new LinkedHashMap<>();
    files.put("preparation.json", Json.writeString(Preparation.of(challenge)));
    files.put("ready.json", Json.writeString(Ready.of(challenge.id(), DeviceReport.CUDA,
        java.util.Collections.nCopies(DEVICES, MODEL))));
    files.put("challenge.json", challengeJson);
    files.put("commitment.json", Json.writeString(commitment));
    files.put("memory-seed.json", Json.writeString(memory.seed(commitment)));
    files.put("memory-roots.json", Json.writeString(memoryRoots));
    files.put("opening-request.json", Json.writeString(request));
    files.put("openings.json", Json.writeString(openings));
    files.put("verdict.json", Json.writeString(verdict));
    return files;
  }

  /**
   * An SXM H100 as the driver reports it: 132 SMs, 81559 MiB, compute capability 9.0. The
   * monitor's blocks and the barrier times are plausible constants, not measurements.
   */
  private static DeviceReport h100(int g, String root) {
    long issued = nanos(Instant.parse(ISSUED_AT));
    long start = issued + 1_204_517_300L + 2_816L * g;
    long mid = start + 412_864L + 1_024L * g;
    long end = mid + 409_920L - 768L * g;
    long kernel = 731_136L + 512L * g;
    long[] blocksPerSm = new long[132];
    for (int sm = 0; sm < blocksPerSm.length; sm++) {
      blocksPerSm[sm] = 8 + ((sm * 7 + g) % 11 == 0 ? 1 : 0);
    }
    String[] uuids = {
      "GPU-3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60", "GPU-a71e5d09-2c8b-4e13-b6f4-58d0c2e97a14"
    };
    String[] buses = {"00000000:18:00.0", "00000000:2A:00.0"};
    return new DeviceReport(g, MODEL, uuids[g], buses[g], "9.0", 132, 85_520_809_984L,
        "550.54.15", DeviceReport.CUDA, root, new Timing(start, mid, end, kernel),
        new SmMonitor(blocksPerSm, g == 0 ? 0.968 : 0.961), new KernelChoice("matmul_dmma",
            "matmul_dmma: n = 64 is not a multiple of matmul_dmma_wide's tile (128)"));
  }

  /** What a validator would report for these messages; the signatures are really checked. */
  private static List<Check> checks(Challenge challenge, Commitment commitment,
      Openings openings) {
    try {
      challenge.verifySignature();
      Ed25519PublicKey.fromPem("proverPublicKey", commitment.proverPublicKey())
          .verify("commitment signature", commitment.signingBytes(), commitment.signature());
    } catch (VerificationException | BadMessageException e) {
      throw new IllegalStateException("example does not verify: " + e.getMessage(), e);
    }
    String digest = Hex.encode(commitment.recomputedDigest());
    int n = openings.openings().size();
    // The 21 check names the validator's Verifier emits for a challenge with a memory phase,
    // in its order (docs/protocol.md).
    return List.of(
        Check.pass("challenge.binding", digest.substring(0, 16) + "...",
            "SHA-256 of the issued challenge",
            "The commitment and openings are bound to this challenge."),
        Check.pass("challenge.expiry", "2025-06-02T09:30:01.937Z", "<= " + challenge.expiresAt(),
            "The commitment arrived before the challenge expired."),
        Check.pass("challenge.replay", "id " + challenge.id() + " first use",
            "a challenge id used once", "First verification of this challenge on this host."),
        Check.pass("signature.challenge", "valid", "valid Ed25519",
            "The challenge carries this validator's valid signature."),
        Check.pass("signature.prover", "valid", "valid Ed25519 (key in message)",
            "The commitment is signed by the key it carries."),
        Check.pass("devices.backend", "cuda", "cuda", "Every device ran the CUDA backend."),
        Check.pass("devices.count", String.valueOf(commitment.devices().size()),
            String.valueOf(challenge.devices()), "The commitment reports the claimed devices."),
        Check.pass("devices.distinct", "2 UUIDs, 2 PCI ids", "all distinct",
            "Every device has its own UUID and PCI bus id."),
        Check.pass("devices.roots-distinct", "2 roots", "all distinct",
            "Every device committed its own root."),
        Check.pass("devices.model", MODEL, MODEL, "Every device reports the claimed model."),
        Check.pass("devices.sm-count", "132", "132", "Every device has the profile's SM count."),
        // n = 64: one block of matmul_dmma a launch, so the SM bounds ask little (§8.3)
        Check.pass("sm.coverage", "132/132 SMs (device 0)",
            ">= 1 (1 block of matmul_dmma, 4 per SM)",
            "Every device ran blocks on as many SMs as its grid reaches.").withFigures(figures(
                "coveredSms", 132.0, "requiredSms", 1.0, "smCount", 132.0, "device", 0.0)),
        Check.pass("sm.balance", "CV 0.036 (device 0)", "<= 11.7 (ideal 11.5 + 0.25)",
            "Blocks were spread evenly over the SMs.").withFigures(figures(
                "coefficientOfVariation", 0.03566656714417355,
                "maxCoefficientOfVariation", 11.739125293076057,
                "idealCoefficientOfVariation", 11.489125293076057, "device", 0.0)),
        Check.pass("sm.busy", "0.961 (device 1)",
            ">= 0.00161 (0.85 x ideal 0.00189: 1 block of matmul_dmma, 4 per SM)",
            "SMs were busy for most of the kernel time its grid allows.").withFigures(figures(
                "busyFraction", 0.961, "minBusyFraction", 0.0016098484848484848,
                "idealBusyFraction", 0.001893939393939394, "device", 1.0)),
        timingWindow(),
        Check.skipped("timing.kernel",
            "illustration only: n = 64 is too small for timing to say anything"),
        Check.pass("timing.barriers", "0.004 s overlap", "all devices overlap",
            "All devices ran between common barriers, at the same time."),
        Check.pass("openings.complete", n + " openings", n + " requested",
            "Every requested sample was answered, in order."),
        Check.pass("openings.exact", n + "/" + n + " exact", n + "/" + n + " exact",
            "Every sampled row, recomputed on this CPU, matches the commitment bit for bit.")
            .withFigures(figures("exact", (double) n, "requested", (double) n)),
        ExampleMemory.window(challenge.dim()),
        ExampleMemory.exact(n));
  }

  /**
   * The verdict's attestation summary: the challenge's claim, the commitment's key and UUIDs,
   * and the timing of {@link #timingWindow()} (the same window, elapsed time and round trip).
   */
  private static Attestation attestation(Challenge challenge, Commitment commitment) {
    Map<String, Double> f = timingWindow().figures();
    double elapsed = f.get("elapsedSeconds");
    String keyId;
    try {
      keyId = Ed25519PublicKey.fromPem("proverPublicKey", commitment.proverPublicKey()).keyId();
    } catch (BadMessageException e) {
      throw new IllegalStateException("example prover key does not read", e);
    }
    return new Attestation(challenge.model(), challenge.dim(), challenge.iterations(),
        challenge.devices(), challenge.samples(), challenge.samples(), DeviceReport.CUDA,
        commitment.proverPublicKey(), keyId,
        commitment.devices().stream().map(DeviceReport::uuid).toList(),
        "2025-06-02T09:30:02.412Z",
        new Attestation.Throughput(elapsed, f.get("expectedSeconds"), f.get("minSeconds"),
            f.get("maxSeconds"), f.get("provenDevices"), f.get("provenAtBound"),
            Attestation.tflopsPerGpu(challenge.dim(), challenge.iterations(), elapsed), true,
            f.get("roundTripSeconds")));
  }

  /**
   * timing.window after a ready/go start with a 5 ms round trip, the commitment in 12 ms:
   * inside the window, and the figures show why a challenge this small (issued only with
   * --weak-timing) proves next to nothing. The window is docs/soundness.md section 6's with
   * the bundled H100 profile (13.7 and 67 TFLOP/s) and defaults (tolerance 0.10, commit 0.1 s).
   */
  private static Check timingWindow() {
    int devices = 2;
    double work = 2.0 * 64 * 64 * 64 * 2;
    double expected = work / 13.7e12;
    double min = work / 67e12;
    double max = expected * 1.10 + 0.005 + 0.1;
    double elapsed = 0.012;
    Map<String, Double> f = new LinkedHashMap<>();
    f.put("provenDevices", devices * expected / elapsed);
    f.put("provenAtBound", devices * expected / max);
    f.put("claimedDevices", (double) devices);
    f.put("elapsedSeconds", elapsed);
    f.put("expectedSeconds", expected);
    f.put("minSeconds", min);
    f.put("maxSeconds", max);
    f.put("startupOutside", 1.0);
    f.put("roundTripSeconds", 0.005);
    f.put("proverCpuSeconds", PROVER_CPU_NANOS / 1e9);
    return Check.pass("timing.window", "0.012 s", "0.000 s .. 0.105 s", "The commitment"
        + " arrived within the profile's window. Passing proves at least 0.000 of 2 " + MODEL
        + " GPUs' canonical rate (this run: 0.000; provisional: the profile's canonical rate is not"
        + " yet measured).").withFigures(f);
  }

  private static Map<String, Double> figures(Object... namesAndValues) {
    Map<String, Double> f = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      f.put((String) namesAndValues[i], (Double) namesAndValues[i + 1]);
    }
    return f;
  }

  private static List<String> hexPath(byte[][] path) {
    List<String> out = new ArrayList<>(path.length);
    for (byte[] p : path) {
      out.add(Hex.encode(p));
    }
    return out;
  }

  private static byte[] label(String text) {
    return Bytes.sha256(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** The nearest directory at or above the working directory that holds testdata/. */
  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("testdata")) && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException("no testdata/ at or above " + dir + "; pass the directory");
  }
}
