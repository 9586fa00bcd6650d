package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.gpuattest.common.message.ChallengeMemory;
import org.junit.jupiter.api.Test;

/**
 * The tables of docs/soundness.md section 9, computed from the bundled profiles and defaults
 * at the default challenge (n = 2048, 10 s of work, ready/go, a measured round trip of 5 ms):
 * what a passing memory phase proves for each model; how much of the kept set a device can
 * leave out and still pass; what another model, or several GPUs together, get when they claim
 * one; and the chance that made-up elements pass the sampling. Run {@link #main} to print
 * them after a profile or default changes; the test fails when the document's are stale.
 */
class MemorySoundnessTableTest {
  static final int DIM = ChallengeIssuer.DEFAULT_DIM;
  static final GpuProfiles PROFILES = GpuProfiles.bundled();
  static final GpuProfiles.Defaults D = PROFILES.defaults();

  static GpuProfiles.Profile profile(String model) {
    return PROFILES.find(model).orElseThrow();
  }

  /** The terms the issuer gives a claim of {@code devices} GPUs of this model by default. */
  static ChallengeMemory terms(GpuProfiles.Profile p, int devices) {
    int t = TimingWindow.iterationsFor(p, DIM, ChallengeIssuer.DEFAULT_SECONDS);
    return MemoryWindow.terms(p, D, DIM, t, devices);
  }

  static MemoryWindow window(GpuProfiles.Profile p, ChallengeMemory m) {
    return MemoryWindow.of(p, D, DIM, m, MemoryCheats.ROUND_TRIP);
  }

  static String perModel() {
    StringBuilder sb = new StringBuilder("| model | T | K kept | kept GiB | P | window | proven"
        + " GiB | of memoryGiB | proven TB/s |\n|---|---|---|---|---|---|---|---|---|\n");
    for (GpuProfiles.Profile p : PROFILES.profiles()) {
      ChallengeMemory m = terms(p, 1);
      MemoryWindow w = window(p, m);
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %d | %.2f s | %.1f | %.2f |"
          + " %.2f |%n", p.model(), TimingWindow.iterationsFor(p, DIM,
              ChallengeIssuer.DEFAULT_SECONDS), m.kept(), w.keptBytes() / MemoryWindow.GIB,
          m.passes(), w.maxSeconds(), w.provenBytes() / MemoryWindow.GIB,
          w.provenBytes() / MemoryWindow.GIB / p.memoryGiB(), w.provenTBps()));
    }
    return sb.toString();
  }

  /** The largest share of K an H100 can leave out, by how it makes it up. */
  static String missing() {
    GpuProfiles.Profile p = profile("NVIDIA H100 80GB HBM3");
    ChallengeMemory m = terms(p, 1);
    MemoryWindow w = window(p, m);
    MemoryCheats.Device full = MemoryCheats.Device.of(p, D);
    MemoryCheats.Device noHost = new MemoryCheats.Device(p.model(), p.memoryGiB(),
        p.memoryTBps(), 0, p.fp64TensorTflops());
    MemoryCheats.Device hostOnly = new MemoryCheats.Device(p.model(), p.memoryGiB(),
        p.memoryTBps(), D.hostLinkTBps(), 0);
    return String.format(Locale.ROOT, "| made up by | largest share of K left out that passes |"
        + "%n|---|---|%n| recomputing at the FP64 tensor peak (%.0f TFLOP/s) | %.2f%% |%n"
        + "| streaming over the host link (%.3f TB/s) | %.2f%% |%n| both | %.2f%% |%n",
        p.fp64TensorTflops(), 100 * MemoryCheats.largestMissingShare(noHost, DIM, m, w),
        D.hostLinkTBps(), 100 * MemoryCheats.largestMissingShare(hostOnly, DIM, m, w),
        100 * MemoryCheats.largestMissingShare(full, DIM, m, w));
  }

  /** A device claiming a model it is not: its best time against that model's window. */
  static String claims() {
    StringBuilder sb = new StringBuilder("| GPU | claims | kept GiB | its best time | window |"
        + " best / window |\n|---|---|---|---|---|---|\n");
    claim(sb, "NVIDIA H100 80GB HBM3", 1, "NVIDIA H200");
    claim(sb, "NVIDIA A100-SXM4-40GB", 1, "NVIDIA A100-SXM4-80GB");
    claim(sb, "NVIDIA H100 PCIe", 1, "NVIDIA H100 80GB HBM3");
    claim(sb, "NVIDIA H100 80GB HBM3", 2, "NVIDIA H200");
    claim(sb, "NVIDIA A100-SXM4-40GB", 2, "NVIDIA A100-SXM4-80GB");
    return sb.toString();
  }

  /**
   * {@code count} GPUs of {@code real} posing as one {@code claimed}: each holds its share of
   * the kept set and streams it, the passes' roots combined over their links (microseconds).
   */
  private static void claim(StringBuilder sb, String real, int count, String claimed) {
    GpuProfiles.Profile r = profile(real);
    GpuProfiles.Profile c = profile(claimed);
    ChallengeMemory m = terms(c, 1);
    MemoryWindow w = window(c, m);
    MemoryCheats.Device one = MemoryCheats.Device.of(r, D);
    MemoryCheats.Device pooled = new MemoryCheats.Device(count + " x " + real,
        one.memoryGiB() * count, one.memoryTBps() * count, one.hostLinkTBps() * count,
        one.fp64TensorTflops() * count);
    double best = MemoryCheats.best(pooled, DIM, m);
    sb.append(String.format(Locale.ROOT, "| %s%s | %s | %.1f | %.2f s | %.2f s | %.2f |%n",
        count == 1 ? "" : count + " x ", real, claimed, w.keptBytes() / MemoryWindow.GIB, best,
        w.maxSeconds(), best / w.maxSeconds()));
  }

  /**
   * The chance that a prover whose elements of a share f of the kept rows are made up passes
   * memory.exact: no sampled row of the kept iterations is one of them. With N rows of which
   * the kept are a share k, S samples: C(N - fkN, S) / C(N, S) &lt;= (1 - fk)^S.
   */
  static String sampling() {
    GpuProfiles.Profile p = profile("NVIDIA H100 80GB HBM3");
    int t = TimingWindow.iterationsFor(p, DIM, ChallengeIssuer.DEFAULT_SECONDS);
    ChallengeMemory m = terms(p, 1);
    double k = (double) m.kept() / t;
    int s = ChallengeIssuer.DEFAULT_SAMPLES;
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "| made up (share of the"
        + " kept rows) | P(pass) <= (1 - %.3f f)^%d |%n|---|---|%n", k, s));
    for (double f : new double[] {0.01, 0.05, 0.10, 0.25, 1.0}) {
      sb.append(String.format(Locale.ROOT, "| %.0f%% | %s |%n", 100 * f,
          sci(Math.pow(1 - k * f, s))));
    }
    return sb.toString();
  }

  private static String sci(double v) {
    if (v >= 1e-3) {
      return String.format(Locale.ROOT, "%.4f", v);
    }
    String e = String.format(Locale.ROOT, "%.2e", v);
    String[] parts = e.split("e");
    return parts[0] + "·10^" + Integer.parseInt(parts[1]);
  }

  static String tables() {
    return perModel() + "\n" + missing() + "\n" + claims() + "\n" + sampling();
  }

  @Test
  void soundnessDoc_holdsTheComputedMemoryTables() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "soundness.md"));
    for (String table : tables().split("\n\n")) {
      assertTrue(doc.contains(table.strip()), "docs/soundness.md section 9 is stale; its"
          + " tables are now:\n" + tables());
    }
  }

  public static void main(String[] args) {
    System.out.print(tables());
  }
}
