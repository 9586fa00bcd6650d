package org.gpuattest.benchmarks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.spec.SampledRows;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.TimingWindow;
import org.gpuattest.validator.check.Evidence;

/**
 * An honest-looking attestation of G devices for {@link VerifyCostBenchmark}, built without
 * doing the G x T products: only the sampled rows are computed (as the validator computes
 * them), and every other leaf of every row tree and every unsampled matrix root is filler.
 * Audit paths from the real leaves are still valid paths to the committed roots, so the
 * validator does exactly the work it does for an honest prover. The device reports look like
 * CUDA devices of the claimed model with timing and SM readings inside the profile's bounds, so
 * every check runs rather than being skipped for the CPU backend.
 */
final class VerifyFixture {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");

  final Challenge challenge;
  final byte[] challengeBytes;
  final Instant receivedAt;
  final OpeningRequest request;
  final Commitment commitment;
  final Openings openings;
  final GpuProfiles profiles;
  /** Per device, the (t, i) of its samples in request order: SampledRows.compute's input. */
  final int[][] iterations;
  final int[][] rows;

  private VerifyFixture(Challenge challenge, byte[] challengeBytes, Instant receivedAt,
      OpeningRequest request, Commitment commitment, Openings openings, GpuProfiles profiles,
      int[][] iterations, int[][] rows) {
    this.challenge = challenge;
    this.challengeBytes = challengeBytes;
    this.receivedAt = receivedAt;
    this.request = request;
    this.commitment = commitment;
    this.openings = openings;
    this.profiles = profiles;
    this.iterations = iterations;
    this.rows = rows;
  }

  Evidence evidence() {
    return new Evidence(challenge, challengeBytes, receivedAt, request, commitment, openings,
        profiles, Evidence.Options.strict());
  }

  /**
   * @param seconds the challenge's nominal length; T follows from the profile's canonical rate
   *     exactly as {@code validator challenge --seconds} derives it
   */
  static VerifyFixture build(int devices, int n, double seconds, int samples, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    GpuProfiles profiles = GpuProfiles.bundled();
    GpuProfiles.Profile profile = profiles.find(MODEL).orElseThrow();
    int t = TimingWindow.iterationsFor(profile, n, seconds);
    TimingWindow window = TimingWindow.of(profile, profiles.defaults(), n, t, devices);
    Instant expires = ISSUED.plusMillis((long) Math.ceil(window.maxSeconds() * 1000))
        .plusSeconds(30);
    Challenge challenge = new Challenge(1, Hex.encode(bytes(random, 16)),
        Hex.encode(bytes(random, 32)), n, t, devices, MODEL, ISSUED.toString(),
        expires.toString(), samples, null, null)
        .signedBy(Ed25519PrivateKey.fromSeed(bytes(random, 32)));
    byte[] challengeBytes = Json.write(challenge);
    byte[] challengeDigest = CommitmentDigest.challengeDigest(challengeBytes);
    PhiloxKey key = challenge.philoxKey();

    List<Sample> chosen = choose(random, devices, t, n, samples);
    int[][] its = new int[devices][];
    int[][] rs = new int[devices][];
    List<List<Sample>> byDevice = new ArrayList<>();
    for (int g = 0; g < devices; g++) {
      byDevice.add(new ArrayList<>());
    }
    chosen.forEach(s -> byDevice.get(s.device()).add(s));

    // Row trees: filler leaves, with the real leaf of each sampled row put in its place.
    byte[][] fillerRows = filler("row", n);
    Map<Long, byte[][]> rowTrees = new HashMap<>();
    for (int g = 0; g < devices; g++) {
      List<Sample> list = byDevice.get(g);
      its[g] = list.stream().mapToInt(Sample::iteration).toArray();
      rs[g] = list.stream().mapToInt(Sample::row).toArray();
      double[] c = SampledRows.compute(key, g, n, its[g], rs[g]);
      for (int k = 0; k < list.size(); k++) {
        byte[][] leaves =
            rowTrees.computeIfAbsent(matrix(list.get(k), t), m -> fillerRows.clone());
        leaves[rs[g][k]] = RowHash.leaf(c, k * n, n);
      }
    }
    Map<Long, byte[]> matrixRoots = new HashMap<>();
    rowTrees.forEach((m, leaves) -> matrixRoots.put(m, MerkleTree.root(leaves)));

    // Device trees: filler matrix roots, with the real root of each touched matrix.
    byte[][][] deviceTrees = new byte[devices][][];
    List<DeviceReport> reports = new ArrayList<>();
    long kernelNanos = (long) (window.expectedSeconds() * 1e9);
    long start = ISSUED.getEpochSecond() * 1_000_000_000L + 1_000_000_000L;
    long end = start + kernelNanos + 500_000_000L;
    long[] blocks = new long[profile.smCount()];
    Arrays.fill(blocks, 1000);
    for (int g = 0; g < devices; g++) {
      byte[][] fillerRoots = filler("matrix-root-" + g, t);
      byte[][] leaves = new byte[t][];
      for (int i = 0; i < t; i++) {
        byte[] root = matrixRoots.getOrDefault((long) g * t + i, fillerRoots[i]);
        leaves[i] = MerkleTree.leafHash(root);
      }
      deviceTrees[g] = leaves;
      String uuid = String.format("GPU-%08x-be7c-4000-8000-%012x", g, g); // nvidia-smi's form
      reports.add(new DeviceReport(g, MODEL, uuid, String.format("00000000:%02X:00.0", g + 1),
          "9.0", profile.smCount(), profile.memoryGiB() * (1L << 30), "550.54.15",
          DeviceReport.CUDA, Hex.encode(MerkleTree.root(leaves)),
          new Timing(start, (start + end) / 2, end, kernelNanos), new SmMonitor(blocks, 0.95),
          new KernelChoice("matmul_dmma", "benchmark fixture")));
    }
    Commitment commitment = Commitment.sign(challengeDigest, reports,
        Ed25519PrivateKey.fromSeed(bytes(random, 32)));

    List<Opening> answers = new ArrayList<>();
    for (Sample s : chosen) {
      long m = matrix(s, t);
      answers.add(new Opening(s.device(), s.iteration(), s.row(),
          Hex.encode(matrixRoots.get(m)),
          hex(MerkleTree.auditPath(s.iteration(), deviceTrees[s.device()])),
          hex(MerkleTree.auditPath(s.row(), rowTrees.get(m)))));
    }
    String cd = Hex.encode(challengeDigest);
    OpeningRequest request = new OpeningRequest(1, cd, commitment.commitmentDigest(), chosen);
    Openings openings = new Openings(1, cd, commitment.commitmentDigest(), answers);
    Instant received = ISSUED.plusNanos(end - start + 2_000_000_000L);
    return new VerifyFixture(challenge, challengeBytes, received, request, commitment, openings,
        profiles, its, rs);
  }

  /** K distinct (g, t, i), ordered by g, then t, then i, as SampleSelector orders them. */
  private static List<Sample> choose(SplittableRandom random, int devices, int t, int n, int k) {
    long total = (long) devices * t * n;
    TreeSet<Long> picked = new TreeSet<>();
    while (picked.size() < k) {
      picked.add(random.nextLong(total));
    }
    List<Sample> out = new ArrayList<>(k);
    for (long idx : picked) {
      out.add(new Sample((int) (idx / ((long) n * t)), (int) (idx / n % t), (int) (idx % n)));
    }
    return out;
  }

  private static long matrix(Sample s, int t) {
    return (long) s.device() * t + s.iteration();
  }

  /** Leaf hashes of SHA-256(tag || LE32(i)): arbitrary, distinct, and not any real row. */
  private static byte[][] filler(String tag, int count) {
    byte[] prefix = tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      out[i] = MerkleTree.leafHash(Bytes.sha256(prefix, Bytes.le32(i)));
    }
    return out;
  }

  private static List<String> hex(byte[][] path) {
    List<String> out = new ArrayList<>(path.length);
    for (byte[] p : path) {
      out.add(Hex.encode(p));
    }
    return out;
  }

  private static byte[] bytes(SplittableRandom random, int count) {
    byte[] b = new byte[count];
    random.nextBytes(b);
    return b;
  }
}
