package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The table of docs/soundness.md section 6, computed from the bundled H100 profile and
 * defaults: the fraction of the claimed throughput that any passing run proves (provenAtBound
 * / G), by challenge length and G, for a ready/go start and for one timed from issue. Run
 * {@link #main} to print it after a profile or default changes.
 */
class SoundnessTableTest {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  static final int DIM = ChallengeIssuer.DEFAULT_DIM;
  static final double[] SECONDS = {2, 5, 10, 30, 60};
  static final int[] DEVICES = {1, 2, 8};
  static final double MEASURED_ROUND_TRIP = 0.005;

  static String table() {
    GpuProfiles profiles = GpuProfiles.bundled();
    GpuProfiles.Profile p = profiles.find(MODEL).orElseThrow();
    GpuProfiles.Defaults d = profiles.defaults();
    StringBuilder sb = new StringBuilder();
    sb.append("| length | issued without `--weak-timing`");
    for (int g : DEVICES) {
      sb.append(" | ready/go, G = ").append(g);
    }
    sb.append(" | ready/go, round trip at the cap");
    for (int g : DEVICES) {
      sb.append(" | from issue, G = ").append(g);
    }
    sb.append(" |\n|---|---|").append("---|".repeat(2 * DEVICES.length + 1)).append('\n');
    for (double s : SECONDS) {
      int t = TimingWindow.iterationsFor(p, DIM, s);
      boolean strong = TimingStrength.weakness(p, d, DIM, t, 1, ChallengeIssuer.TimedFrom.GO)
          .isEmpty();
      sb.append(String.format("| %.0f s | %s", s, strong ? "yes" : "no"));
      for (int g : DEVICES) {
        TimingWindow w = TimingWindow.readyGo(p, d, DIM, t, MEASURED_ROUND_TRIP);
        sb.append(" | ").append(ProvenRate.number(w.provenAtBound(g) / g));
      }
      TimingWindow cap = TimingWindow.readyGo(p, d, DIM, t, d.maxRoundTripSeconds());
      sb.append(" | ").append(ProvenRate.number(cap.provenAtBound(1)));
      for (int g : DEVICES) {
        TimingWindow w = TimingWindow.of(p, d, DIM, t, g);
        sb.append(" | ").append(ProvenRate.number(w.provenAtBound(g) / g));
      }
      sb.append(" |\n");
    }
    return sb.toString();
  }

  @Test
  void soundnessDoc_holdsTheComputedTable() throws IOException {
    // The table sits in a list item, indented; compare the lines without their indent.
    String doc = String.join("\n", Files.readAllLines(Path.of("..", "docs", "soundness.md"))
        .stream().map(String::strip).toList()) + "\n";
    String table = table();
    assertTrue(doc.contains(table), "docs/soundness.md section 6 is stale; its table is now:\n"
        + table);
  }

  public static void main(String[] args) {
    System.out.print(table());
  }
}
