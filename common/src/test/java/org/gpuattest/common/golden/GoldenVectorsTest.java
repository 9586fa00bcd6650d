package org.gpuattest.common.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.merkle.MerkleTree;
import org.junit.jupiter.api.Test;

/**
 * testdata/golden/vectors.json is what the main code computes today (so a change to the
 * canonical bits cannot slip in unnoticed), and its values hang together by the spec's own
 * formulas, checked here without the spec classes.
 */
class GoldenVectorsTest {
  /** Surefire runs in the module directory. */
  private static final Path FILE = Path.of("..", "testdata", "golden", "vectors.json");
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void vectorsJson_checkedIn_equalsRecomputation() throws IOException {
    assertTrue(Files.isRegularFile(FILE), FILE.toAbsolutePath() + " is missing; generate it"
        + " from the repository root with: " + GoldenVectors.REGENERATE);
    String checkedIn = Files.readString(FILE, StandardCharsets.UTF_8);
    String computed = GoldenVectors.render();
    if (!computed.equals(checkedIn)) {
      fail(GoldenVectors.FILE + " differs from what the main code computes now, first at "
          + firstDifference(checkedIn, computed) + ". If canonical-v1 output changed on purpose"
          + " (that breaks every other implementation), regenerate from the repository root"
          + " with: " + GoldenVectors.REGENERATE + " and explain it in the commit; otherwise the"
          + " main code no longer computes the canonical bits.");
    }
  }

  @Test
  void vectorsJson_philoxKey_isLe32OfSha256OfDomainAndSeed() throws Exception {
    GoldenVectors.Vectors v = read();
    assertEquals("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", v.seed());
    byte[] h = MessageDigest.getInstance("SHA-256").digest(
        concat("philox-key/v1".getBytes(StandardCharsets.US_ASCII), HEX.parseHex(v.seed())));
    assertEquals(le32Hex(h, 0), v.philoxKey().k0());
    assertEquals(le32Hex(h, 4), v.philoxKey().k1());
  }

  /** Counter words, u, bits and decimal of each element agree with the spec's formulas. */
  @Test
  void vectorsJson_elements_areSelfConsistent() throws Exception {
    GoldenVectors.Elements el = read().elements();
    List<String> failures = new ArrayList<>();
    for (GoldenVectors.Element e : el.entries()) {
      long index = (long) e.i() * el.n() + e.j();
      boolean a = e.operand().equals("A");
      List<String> counter = List.of(String.format("%08x", index >> 1),
          String.format("%08x", a ? e.t() : 0), String.format("%08x", e.g()), a ? "00000000"
              : "00000001");
      long u = Long.parseUnsignedLong(e.u(), 16);
      double value = (u >>> 11) * 0x1.0p-52 - 1.0;
      String where = e.operand() + "(" + e.g() + "," + e.t() + ")[" + e.i() + "][" + e.j() + "]";
      if (!counter.equals(e.counter())) {
        failures.add(where + ": counter " + e.counter() + ", spec says " + counter);
      }
      if (!e.bits().equals(String.format("%016x", Double.doubleToRawLongBits(value)))) {
        failures.add(where + ": bits " + e.bits() + " do not follow from u " + e.u());
      }
      if (new BigDecimal(e.decimal()).compareTo(new BigDecimal(value)) != 0) {
        failures.add(where + ": decimal " + e.decimal() + " is not the value of u " + e.u());
      }
      if (a == (e.t() == null)) {
        failures.add(where + ": t must be present exactly for operand A");
      }
    }
    assertEquals(2 * 3 * GoldenVectors.POSITIONS.length, el.entries().size());
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /** Device roots are the RFC 6962 MTH of their matrix roots; the digest is rebuilt by hand. */
  @Test
  void vectorsJson_configs_deviceRootsAndCommitmentDigestFollowFromMatrixRoots()
      throws Exception {
    List<GoldenVectors.Config> configs = read().configs();
    assertEquals(2, configs.size());
    assertEquals(List.of(64, 2, 3), List.of(configs.get(0).n(), configs.get(0).devices(),
        configs.get(0).iterations()));
    assertEquals(List.of(128, 1, 2), List.of(configs.get(1).n(), configs.get(1).devices(),
        configs.get(1).iterations()));
    for (GoldenVectors.Config c : configs) {
      byte[] challengeDigest = MessageDigest.getInstance("SHA-256")
          .digest("golden-challenge".getBytes(StandardCharsets.US_ASCII));
      assertEquals(HEX.formatHex(challengeDigest), c.challengeDigest());
      MessageDigest commitment = MessageDigest.getInstance("SHA-256");
      commitment.update("commitment/v1".getBytes(StandardCharsets.US_ASCII));
      commitment.update(challengeDigest);
      commitment.update(new byte[] {(byte) c.devices(), 0, 0, 0});
      for (int g = 0; g < c.devices(); g++) {
        List<String> roots = c.matrixRoots().get(g);
        assertEquals(c.iterations(), roots.size());
        byte[] deviceRoot = mth(roots, 0, roots.size());
        assertEquals(HEX.formatHex(deviceRoot), c.deviceRoots().get(g), "n=" + c.n() + " R(" + g
            + ")");
        commitment.update(deviceRoot);
      }
      assertEquals(HEX.formatHex(commitment.digest()), c.commitmentDigest(), "n=" + c.n());
    }
  }

  private static GoldenVectors.Vectors read() throws IOException, BadMessageException {
    return Json.read(GoldenVectors.FILE, Files.readAllBytes(FILE), GoldenVectors.Vectors.class);
  }

  /** RFC 6962 MTH over the matrix roots as leaf data, by the recursive definition. */
  private static byte[] mth(List<String> roots, int from, int to) {
    if (to - from == 1) {
      return MerkleTree.leafHash(HEX.parseHex(roots.get(from)));
    }
    int k = 1;
    while (k * 2 < to - from) {
      k *= 2;
    }
    return MerkleTree.nodeHash(mth(roots, from, from + k), mth(roots, from + k, to));
  }

  private static String firstDifference(String a, String b) {
    String[] x = a.split("\n", -1);
    String[] y = b.split("\n", -1);
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      if (!x[i].equals(y[i])) {
        return "line " + (i + 1) + ": file has '" + x[i].strip() + "', computed '"
            + y[i].strip() + "'";
      }
    }
    return "line " + (Math.min(x.length, y.length) + 1) + " (one is longer)";
  }

  private static String le32Hex(byte[] h, int off) {
    int w = (h[off] & 0xFF) | (h[off + 1] & 0xFF) << 8 | (h[off + 2] & 0xFF) << 16
        | (h[off + 3] & 0xFF) << 24;
    return String.format("%08x", w);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
