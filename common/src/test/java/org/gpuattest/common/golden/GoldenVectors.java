package org.gpuattest.common.golden;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.Philox4x32;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;

/**
 * Writes testdata/golden/vectors.json: the canonical-v1 bits of one fixed seed, for other
 * implementations (CUDA kernels, a validator in another language) to test against. Every value
 * comes from the spec classes in common ({@link Reference}, {@link Operands}, ...); the file is
 * checked in and GoldenVectorsTest fails when main code stops reproducing it.
 *
 * <p>Regenerate from the repository root with {@link #REGENERATE}. An argument, if given, is
 * the output file.
 */
public final class GoldenVectors {
  public static final String REGENERATE = "mvn -q -pl common test-compile exec:java"
      + " -Dexec.classpathScope=test -Dexec.mainClass=org.gpuattest.common.golden.GoldenVectors";
  /** The normative spec of canonical-v1, which every source field cites by section. */
  static final String SPEC = "docs/protocol.md";
  static final String FILE = "testdata/golden/vectors.json";

  /** seed = 00 01 02 ... 1f. */
  static final byte[] SEED = seed();
  static final String CHALLENGE_LABEL = "golden-challenge";
  /** Stands in for SHA-256 of a challenge's decoded bytes: SHA-256 of ASCII "golden-challenge". */
  static final byte[] CHALLENGE_DIGEST =
      Bytes.sha256(CHALLENGE_LABEL.getBytes(StandardCharsets.US_ASCII));

  static final int ELEMENT_DIM = 64;
  static final int[][] POSITIONS = {{0, 0}, {0, 1}, {1, 0}, {17, 42}, {17, 43}, {63, 63}};

  /** Random123 1.14 tests/kat_vectors, the "philox4x32 10" lines: counter, key. */
  static final int[][] PHILOX_KAT_INPUTS = {
    {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000},
    {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
    {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0},
  };

  private GoldenVectors() {}

  @JsonPropertyOrder({"description", "regenerate", "seed", "philoxKnownAnswers", "philoxKey",
      "elements", "products", "configs"})
  public record Vectors(String description, String regenerate, String seed,
      PhiloxKnownAnswers philoxKnownAnswers, Key philoxKey, Elements elements,
      Products products, List<Config> configs) {}

  @JsonPropertyOrder({"source", "vectors"})
  public record PhiloxKnownAnswers(String source, List<PhiloxVector> vectors) {}

  @JsonPropertyOrder({"counter", "key", "output"})
  public record PhiloxVector(List<String> counter, List<String> key, List<String> output) {}

  @JsonPropertyOrder({"source", "k0", "k1"})
  public record Key(String source, String k0, String k1) {}

  @JsonPropertyOrder({"source", "n", "entries"})
  public record Elements(String source, int n, List<Element> entries) {}

  /** t is absent for operand B, which has one matrix per device. */
  @JsonPropertyOrder({"operand", "g", "t", "i", "j", "counter", "u", "bits", "decimal"})
  public record Element(String operand, int g, Integer t, int i, int j, List<String> counter,
      String u, String bits, String decimal) {}

  @JsonPropertyOrder({"source", "n", "entries"})
  public record Products(String source, int n, List<Product> entries) {}

  @JsonPropertyOrder({"g", "t", "i", "j", "bits", "decimal"})
  public record Product(int g, int t, int i, int j, String bits, String decimal) {}

  @JsonPropertyOrder({"source", "n", "devices", "iterations", "challengeDigest",
      "firstRowLeaves", "matrixRoots", "deviceRoots", "commitmentDigest"})
  public record Config(String source, int n, int devices, int iterations,
      String challengeDigest, List<String> firstRowLeaves, List<List<String>> matrixRoots,
      List<String> deviceRoots, String commitmentDigest) {}

  public static void main(String[] args) throws IOException {
    Path out = args.length > 0 ? Path.of(args[0]) : repositoryRoot().resolve(FILE);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, render(), StandardCharsets.UTF_8);
    System.out.println("wrote " + out.toAbsolutePath().normalize());
  }

  /** The file's exact text: Json.writeString of {@link #compute()}, LF line ends, final LF. */
  public static String render() {
    return Json.writeString(compute()).replace("\r\n", "\n") + "\n";
  }

  public static Vectors compute() {
    PhiloxKey key = PhiloxKey.fromSeed(SEED);
    return new Vectors(
        "canonical-v1 golden vectors for seed 000102...1f; see testdata/golden/README.md",
        REGENERATE,
        Hex.encode(SEED),
        philoxKnownAnswers(),
        new Key(source("1.3 Key from the seed", "k0 = LE32(H[0..4]), k1 = LE32(H[4..8]) of"
            + " H = SHA-256(\"philox-key/v1\" || seed), as 8 hex digits"),
            Hex.word(key.k0()), Hex.word(key.k1())),
        elements(key),
        products(key),
        List.of(config(key, 64, 2, 3), config(key, 128, 1, 2)));
  }

  private static PhiloxKnownAnswers philoxKnownAnswers() {
    List<PhiloxVector> vectors = new ArrayList<>();
    for (int[] in : PHILOX_KAT_INPUTS) {
      int[] out = Philox4x32.block(new int[] {in[0], in[1], in[2], in[3]},
          new int[] {in[4], in[5]});
      vectors.add(new PhiloxVector(words(in[0], in[1], in[2], in[3]), words(in[4], in[5]),
          words(out[0], out[1], out[2], out[3])));
    }
    return new PhiloxKnownAnswers("Random123 1.14 tests/kat_vectors, the three"
        + " 'philox4x32 10' lines (counter c0..c3, key k0 k1, output x0..x3); " + SPEC
        + " section 1.2 Philox4x32-10. Not derived from the seed. Regenerate: " + REGENERATE,
        vectors);
  }

  private static Elements elements(PhiloxKey key) {
    int n = ELEMENT_DIM;
    List<Element> entries = new ArrayList<>();
    for (int g = 0; g <= 1; g++) {
      for (int t : new int[] {0, 2}) {
        for (int[] p : POSITIONS) {
          double v = Operands.elementA(key, g, t, n, p[0], p[1]);
          entries.add(element(key, "A", g, t, n, p[0], p[1], 0, v));
        }
      }
      for (int[] p : POSITIONS) {
        double v = Operands.elementB(key, g, n, p[0], p[1]);
        entries.add(element(key, "B", g, null, n, p[0], p[1], 1, v));
      }
    }
    return new Elements(source("1.4 Operand elements", "element e = i*n + j of A(g,t) from"
        + " counter (e >> 1, t, g, 0), of B(g) from (e >> 1, 0, g, 1); u = x1:x0 for even e,"
        + " x3:x2 for odd e (16 hex digits); value = (u >>> 11) * 2^-52 - 1 as raw binary64"
        + " bits (16 hex digits) and as its exact decimal"), n, entries);
  }

  private static Element element(PhiloxKey key, String operand, int g, Integer t, int n, int i,
      int j, int c3, double v) {
    long e = (long) i * n + j;
    int c1 = t == null ? 0 : t;
    int[] x = Philox4x32.block(new int[] {(int) (e >> 1), c1, g, c3},
        new int[] {key.k0(), key.k1()});
    long u = (e & 1) == 0 ? word64(x[1], x[0]) : word64(x[3], x[2]);
    return new Element(operand, g, t, i, j, words((int) (e >> 1), c1, g, c3),
        String.format("%016x", u), bits(v), decimal(v));
  }

  private static Products products(PhiloxKey key) {
    int n = ELEMENT_DIM;
    List<Product> entries = new ArrayList<>();
    for (int g = 0; g <= 1; g++) {
      double[] b = Operands.matrixB(key, g, n);
      for (int t : new int[] {0, 2}) {
        double[] c = Reference.matrix(key, g, t, n, b);
        for (int[] p : POSITIONS) {
          double v = c[p[0] * n + p[1]];
          entries.add(new Product(g, t, p[0], p[1], bits(v), decimal(v)));
        }
      }
    }
    return new Products(source("1.5 Product", "C(g,t)[i][j], the ascending-k FMA chain over"
        + " A(g,t) row i and B(g) column j, as raw binary64 bits and exact decimal"), n, entries);
  }

  private static Config config(PhiloxKey key, int n, int devices, int iterations) {
    List<List<String>> matrixRoots = new ArrayList<>();
    List<String> deviceRoots = new ArrayList<>();
    List<String> firstRowLeaves = new ArrayList<>();
    List<byte[]> rootBytes = new ArrayList<>();
    for (int g = 0; g < devices; g++) {
      double[] b = Operands.matrixB(key, g, n);
      byte[][] roots = new byte[iterations][];
      List<String> hex = new ArrayList<>();
      for (int t = 0; t < iterations; t++) {
        double[] c = Reference.matrix(key, g, t, n, b);
        firstRowLeaves.add(Hex.encode(RowHash.leaf(c, 0, n)));
        roots[t] = Reference.matrixRoot(c, n);
        hex.add(Hex.encode(roots[t]));
      }
      matrixRoots.add(hex);
      byte[] deviceRoot = Reference.deviceRoot(roots);
      rootBytes.add(deviceRoot);
      deviceRoots.add(Hex.encode(deviceRoot));
    }
    return new Config(source("2 Commitments", "n = " + n + ", G = " + devices + ", T = "
        + iterations + "; challengeDigest = SHA-256(ASCII \"" + CHALLENGE_LABEL + "\") in"
        + " place of a real challenge's digest; firstRowLeaves[g*T + t] = leaf hash of row 0"
        + " of C(g,t); matrixRoots[g][t] = r(g,t); deviceRoots[g] = R(g); commitmentDigest ="
        + " SHA-256(\"commitment/v1\" || challengeDigest || LE32(G) || R(0) || ...)"),
        n, devices, iterations, Hex.encode(CHALLENGE_DIGEST), firstRowLeaves, matrixRoots,
        deviceRoots, Hex.encode(CommitmentDigest.of(CHALLENGE_DIGEST, rootBytes)));
  }

  private static String source(String section, String what) {
    return SPEC + " section " + section + ": " + what + ". Regenerate: " + REGENERATE;
  }

  static String bits(double v) {
    return String.format("%016x", Double.doubleToRawLongBits(v));
  }

  static String decimal(double v) {
    return new BigDecimal(v).toPlainString();
  }

  private static List<String> words(int... w) {
    List<String> out = new ArrayList<>();
    for (int x : w) {
      out.add(Hex.word(x));
    }
    return out;
  }

  private static long word64(int hi, int lo) {
    return (hi & 0xFFFFFFFFL) << 32 | (lo & 0xFFFFFFFFL);
  }

  private static byte[] seed() {
    byte[] s = new byte[PhiloxKey.SEED_BYTES];
    for (int i = 0; i < s.length; i++) {
      s[i] = (byte) i;
    }
    return s;
  }

  /** The nearest directory at or above the working directory with pom.xml and common/. */
  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("common"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root at or above " + dir
        + "; pass the output file as the argument");
  }
}
