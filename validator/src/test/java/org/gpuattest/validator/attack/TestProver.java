package org.gpuattest.validator.attack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.IntUnaryOperator;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.TimingWindow;

/**
 * A single-threaded prover built from {@code common} only (the validator must not depend on
 * the attestor): it answers a challenge with a signed commitment and an opening request with
 * openings, as canonical-v1 says, except where a {@link Cheats} tells it to lie.
 *
 * <p>A cheat that changes the computed matrices (product, borrowed work, tampered rows) is
 * applied consistently: the commitment and the openings come from the same wrong matrices, so
 * only the validator's own recomputation can catch it. A skipped iteration commits a random
 * r(g, t) and later opens rows of the honest C(g, t), as a prover that did the work only when
 * asked would.
 */
public final class TestProver {
  /** The hardware the device reports describe. */
  public enum Hardware { CPU, H100 }

  public static final String H100_NAME = "NVIDIA H100 80GB HBM3";
  public static final int H100_SMS = 132;
  public static final long BLOCKS_PER_SM = 8;
  public static final double BUSY = 0.95;
  /** The kernel an H100 runs at the harness's n = 64 (not a multiple of 128). */
  public static final KernelChoice H100_KERNEL = new KernelChoice("matmul_dmma",
      "n = 64 is not a multiple of matmul_dmma_wide's tile (128)");
  /** Barrier offsets after the challenge's issuedAt: start, mid, end. */
  static final long START_AFTER = 1_000_000_000L;
  static final long MID_AFTER = 2_000_000_000L;
  static final long END_AFTER = 4_000_000_000L;

  /** Predicate on a row of C(g, t). */
  @FunctionalInterface
  public interface RowSet {
    boolean contains(int g, int t, int i);

    RowSet NONE = (g, t, i) -> false;
  }

  /** What this prover lies about; {@link #HONEST} lies about nothing. */
  public record Cheats(
      Products.Product product,
      IntUnaryOperator workOf,
      RowSet flippedRows,
      RowSet skippedMatrices,
      boolean openRecomputedRoots,
      BiFunction<Integer, DeviceReport, DeviceReport> reports) {
    public static final Cheats HONEST =
        new Cheats(Products.CANONICAL, g -> g, RowSet.NONE, RowSet.NONE, false, (g, r) -> r);

    public Cheats product(Products.Product p) {
      return new Cheats(p, workOf, flippedRows, skippedMatrices, openRecomputedRoots, reports);
    }

    /** Device g's matrices are device workOf(g)'s. */
    public Cheats workOf(IntUnaryOperator w) {
      return new Cheats(product, w, flippedRows, skippedMatrices, openRecomputedRoots, reports);
    }

    /** Flip the last bit of element {@link #FLIPPED_COLUMN} in these rows. */
    public Cheats flippedRows(RowSet rows) {
      return new Cheats(product, workOf, rows, skippedMatrices, openRecomputedRoots, reports);
    }

    /**
     * Commit random roots for these (g, t); the row index is ignored. Openings send the random
     * root with the honest row paths, or with {@code openRecomputedRoots} the honest root, which
     * the row paths reach but whose path to R(g) does not.
     */
    public Cheats skippedMatrices(RowSet matrices, boolean openRecomputedRoots) {
      return new Cheats(product, workOf, flippedRows, matrices, openRecomputedRoots, reports);
    }

    /** Rewrite device g's report before signing. */
    public Cheats reports(BiFunction<Integer, DeviceReport, DeviceReport> edit) {
      return new Cheats(product, workOf, flippedRows, skippedMatrices, openRecomputedRoots, edit);
    }
  }

  public static final int FLIPPED_COLUMN = 7;

  private final Ed25519PrivateKey key;
  private final Hardware hardware;
  private final Cheats cheats;
  private final GpuProfiles profiles;
  private final Random fakes = new Random(0x5eed);
  private Challenge challenge;
  private String challengeDigest;
  private String commitmentDigest;
  private double[][][] matrices; // [g][t] -> C the prover would open
  private byte[][][] committedRoots; // [g][t] -> r(g, t) in the commitment

  public TestProver(Ed25519PrivateKey key, Hardware hardware, Cheats cheats,
      GpuProfiles profiles) {
    this.key = key;
    this.hardware = hardware;
    this.cheats = cheats;
    this.profiles = profiles;
  }

  /** Computes every C(g, t), commits to it and signs; remembers what it needs to open. */
  public Commitment commit(MessageCodec.Decoded<Challenge> decoded) {
    Challenge c = decoded.value();
    int n = c.dim();
    PhiloxKey pk = c.philoxKey();
    matrices = new double[c.devices()][c.iterations()][];
    committedRoots = new byte[c.devices()][c.iterations()][];
    List<DeviceReport> reports = new ArrayList<>();
    for (int g = 0; g < c.devices(); g++) {
      int source = cheats.workOf().applyAsInt(g);
      double[] b = Operands.matrixB(pk, source, n);
      for (int t = 0; t < c.iterations(); t++) {
        double[] m = new double[n * n];
        cheats.product().multiply(Operands.matrixA(pk, source, t, n), b, n, m);
        for (int i = 0; i < n; i++) {
          if (cheats.flippedRows().contains(g, t, i)) {
            int e = i * n + FLIPPED_COLUMN;
            m[e] = Double.longBitsToDouble(Double.doubleToRawLongBits(m[e]) ^ 1L);
          }
        }
        matrices[g][t] = m;
        if (cheats.skippedMatrices().contains(g, t, 0)) {
          byte[] random = new byte[32];
          fakes.nextBytes(random);
          committedRoots[g][t] = random;
        } else {
          committedRoots[g][t] = Reference.matrixRoot(m, n);
        }
      }
      DeviceReport r = report(c, g, Hex.encode(Reference.deviceRoot(committedRoots[g])));
      reports.add(cheats.reports().apply(g, r));
    }
    byte[] digest = CommitmentDigest.challengeDigest(decoded.bytes());
    Commitment commitment = Commitment.sign(digest, reports, key);
    challenge = c;
    challengeDigest = commitment.challengeDigest();
    commitmentDigest = commitment.commitmentDigest();
    return commitment;
  }

  /** Answers each sample from the matrices and roots it committed to. */
  public Openings open(OpeningRequest request) {
    if (challenge == null) {
      throw new IllegalStateException("open before commit");
    }
    int n = challenge.dim();
    byte[][][][] leaves = new byte[challenge.devices()][challenge.iterations()][][];
    List<Opening> out = new ArrayList<>();
    for (Sample s : request.samples()) {
      int g = s.device();
      int t = s.iteration();
      if (leaves[g][t] == null) {
        leaves[g][t] = RowHash.rowLeaves(matrices[g][t], n);
      }
      byte[] root = cheats.openRecomputedRoots() ? MerkleTree.root(leaves[g][t])
          : committedRoots[g][t];
      out.add(new Opening(g, t, s.row(), Hex.encode(root),
          hex(MerkleTree.auditPath(t, Reference.matrixRootLeaves(committedRoots[g]))),
          hex(MerkleTree.auditPath(s.row(), leaves[g][t]))));
    }
    return new Openings(1, request.challengeDigest(), request.commitmentDigest(), out);
  }

  public String commitmentDigest() {
    return commitmentDigest;
  }

  public String challengeDigest() {
    return challengeDigest;
  }

  private DeviceReport report(Challenge c, int g, String root) {
    long issued = c.issued().getEpochSecond() * 1_000_000_000L + c.issued().getNano();
    if (hardware == Hardware.CPU) {
      long[] threads = {4, 4};
      return new DeviceReport(g, "CPU backend (2 threads, test)", "CPU-test-" + g, "cpu:" + g,
          "cpu", 2, 1L << 30, "java test", DeviceReport.CPU, root,
          new Timing(issued + START_AFTER, issued + MID_AFTER, issued + END_AFTER,
              END_AFTER - START_AFTER - 100_000_000L),
          new SmMonitor(threads, 0.99));
    }
    long[] blocks = new long[H100_SMS];
    Arrays.fill(blocks, BLOCKS_PER_SM);
    return new DeviceReport(g, H100_NAME, h100Uuid(g),
        String.format("00000000:%02X:00.0", 0x18 + g), "9.0", H100_SMS, 80L << 30, "550.54.15",
        DeviceReport.CUDA, root,
        new Timing(issued + START_AFTER, issued + MID_AFTER, issued + END_AFTER,
            honestKernelNanos(c)),
        new SmMonitor(blocks, BUSY), H100_KERNEL);
  }

  /** The UUID the H100-looking report of device g carries, in nvidia-smi's form. */
  public static String h100Uuid(int g) {
    return String.format("GPU-%08x-7e57-4000-8000-%012x", g, g);
  }

  /** The profile's expected kernel time for this challenge, inside its [min, max] bounds. */
  public long honestKernelNanos(Challenge c) {
    GpuProfiles.Profile p = profiles.find(H100_NAME).orElseThrow();
    TimingWindow w = TimingWindow.of(p, profiles.defaults(), c.dim(), c.iterations(),
        c.devices());
    long nanos = Math.round(w.expectedSeconds() * 1e9);
    if (nanos < w.minSeconds() * 1e9 || nanos > w.maxKernelSeconds() * 1e9) {
      throw new IllegalStateException("no honest kernel time for " + w);
    }
    return nanos;
  }

  static List<String> hex(byte[][] path) {
    List<String> out = new ArrayList<>(path.length);
    for (byte[] p : path) {
      out.add(Hex.encode(p));
    }
    return out;
  }
}
