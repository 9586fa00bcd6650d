package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;

/** SampleSelector: K distinct rows in range, a function of (seed, digest), all rows when K >= N. */
class SampleSelectorTest {
  static Challenge challenge(int devices, int dim, int iterations, int samples) {
    return new Challenge(1, "00".repeat(16), "11".repeat(32), dim, iterations, devices,
        "NVIDIA H100 80GB HBM3", "2030-01-01T00:00:00Z", "2030-01-01T00:01:00Z", samples,
        null, null);
  }

  static byte[] bytes(String label) {
    return Bytes.sha256(label.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void select_kBelowTotal_kDistinctSamplesInRange() {
    Challenge c = challenge(3, 64, 5, 460);
    List<Sample> s = SampleSelector.select(c, bytes("seed"), bytes("digest"));
    assertEquals(460, s.size());
    assertEquals(460, new HashSet<>(s).size(), "no sample twice");
    for (int i = 0; i < s.size(); i++) {
      s.get(i).checkWithin("samples[" + i + "]", 3, 5, 64);
    }
  }

  @Test
  void select_sameSeedAndDigest_sameSamples() {
    Challenge c = challenge(2, 64, 4, 40);
    assertEquals(SampleSelector.select(c, bytes("seed"), bytes("digest")),
        SampleSelector.select(c, bytes("seed"), bytes("digest")));
  }

  @Test
  void select_differentSeed_differentSamples() {
    Challenge c = challenge(2, 64, 4, 40);
    assertNotEquals(SampleSelector.select(c, bytes("seed"), bytes("digest")),
        SampleSelector.select(c, bytes("seed 2"), bytes("digest")));
  }

  @Test
  void select_differentCommitmentDigest_differentSamples() {
    Challenge c = challenge(2, 64, 4, 40);
    assertNotEquals(SampleSelector.select(c, bytes("seed"), bytes("digest")),
        SampleSelector.select(c, bytes("seed"), bytes("digest 2")));
  }

  @Test
  void select_kAtLeastTotal_everyRowOnceInOrder() {
    for (int k : new int[] {2 * 3 * 64, 2 * 3 * 64 + 1, 4096}) {
      Challenge c = challenge(2, 64, 3, k);
      List<Sample> s = SampleSelector.select(c, bytes("seed"), bytes("digest"));
      assertEquals(384, s.size(), "K = " + k);
      int idx = 0;
      for (int g = 0; g < 2; g++) {
        for (int t = 0; t < 3; t++) {
          for (int i = 0; i < 64; i++) {
            assertEquals(new Sample(g, t, i), s.get(idx++), "K = " + k);
          }
        }
      }
    }
  }

  @Test
  void select_kOneBelowTotal_missesExactlyOneRow() {
    Challenge c = challenge(1, 64, 2, 127);
    Set<Sample> s = new HashSet<>(SampleSelector.select(c, bytes("seed"), bytes("digest")));
    assertEquals(127, s.size());
  }

  @Test
  void select_manySeeds_everyRowAboutEquallyOften() {
    // 4000 draws of K = 8 of N = 128 rows: each row expected 250 times, sd about 15.5.
    Challenge c = challenge(1, 64, 2, 8);
    int[] hits = new int[128];
    for (int trial = 0; trial < 4000; trial++) {
      for (Sample s : SampleSelector.select(c, bytes("seed " + trial), bytes("digest"))) {
        hits[s.iteration() * 64 + s.row()]++;
      }
    }
    for (int row = 0; row < hits.length; row++) {
      assertTrue(Math.abs(hits[row] - 250) <= 5 * 15.5, "row " + row + ": " + hits[row]);
    }
  }

  @Test
  void select_protocolVector_matches() {
    // docs/protocol.md section 7: s = bytes 0..31, D = the testdata/examples commitment digest,
    // G = 2, T = 2, n = 64, K = 4; the vector was matched by an independent Python version.
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) i;
    }
    byte[] digest = Hex.decode("D",
        "2802f9afbc0510c2339218cea534281a24b3cc2cdfb65bd606c29f5296f293d3", 32);
    assertEquals(List.of(new Sample(0, 0, 33), new Sample(0, 0, 41), new Sample(0, 1, 6),
        new Sample(1, 0, 7)), SampleSelector.select(challenge(2, 64, 2, 4), seed, digest));
  }

  @Test
  void select_randomInputs_matchesModelOfProtocolSection7() {
    java.util.Random r = new java.util.Random(7);
    for (int trial = 0; trial < 100; trial++) {
      int g = 1 + r.nextInt(3);
      int t = 1 + r.nextInt(4);
      int n = 64 * (1 + r.nextInt(2));
      int k = 1 + r.nextInt(g * t * n + 10);
      k = Math.min(k, 4096);
      byte[] seed = new byte[32];
      byte[] digest = new byte[32];
      r.nextBytes(seed);
      r.nextBytes(digest);
      Challenge c = challenge(g, n, t, k);
      assertEquals(model(g, t, n, k, seed, digest), SampleSelector.select(c, seed, digest),
          "trial " + trial);
    }
  }

  /** docs/protocol.md section 7, written out again with BigInteger arithmetic. */
  static List<Sample> model(int g, int t, int n, int k, byte[] seed, byte[] digest) {
    long total = (long) g * t * n;
    java.util.TreeSet<Long> chosen = new java.util.TreeSet<>();
    if (k >= total) {
      for (long x = 0; x < total; x++) {
        chosen.add(x);
      }
    } else {
      byte[] prefix = Bytes.sha256("samples/v1".getBytes(StandardCharsets.US_ASCII), seed,
          digest);
      java.util.ArrayDeque<java.math.BigInteger> words = new java.util.ArrayDeque<>();
      long[] counter = {0};
      java.util.function.Supplier<java.math.BigInteger> next = () -> {
        if (words.isEmpty()) {
          byte[] ctr = new byte[8];
          Bytes.putLe64(ctr, 0, counter[0]++);
          byte[] block = Bytes.sha256(prefix, ctr);
          for (int w = 0; w < 4; w++) {
            byte[] be = new byte[9]; // leading zero byte: unsigned
            for (int b = 0; b < 8; b++) {
              be[8 - b] = block[8 * w + b];
            }
            words.add(new java.math.BigInteger(be));
          }
        }
        return words.poll();
      };
      java.math.BigInteger two64 = java.math.BigInteger.ONE.shiftLeft(64);
      for (long j = total - k; j < total; j++) {
        java.math.BigInteger bound = java.math.BigInteger.valueOf(j + 1);
        java.math.BigInteger threshold = two64.mod(bound);
        java.math.BigInteger v;
        do {
          v = next.get();
        } while (v.compareTo(threshold) < 0);
        long x = v.mod(bound).longValueExact();
        chosen.add(chosen.contains(x) ? j : x);
      }
    }
    List<Sample> out = new java.util.ArrayList<>();
    for (long x : chosen) {
      out.add(new Sample((int) (x / ((long) t * n)), (int) (x / n % t), (int) (x % n)));
    }
    return out;
  }
}
