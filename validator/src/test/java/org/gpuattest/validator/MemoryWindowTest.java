package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.message.ChallengeMemory;
import org.junit.jupiter.api.Test;

/**
 * The memory phase's terms and window at the sizes the issuer accepts (docs/soundness.md
 * section 9), with the bundled profiles: an honest device down to the provisional tolerance
 * passes; what the window says passing proves is never more than a device that passes holds,
 * whichever way it makes up the rest ({@link MemoryCheats}); a device claiming a model with
 * more memory fails by a wide margin, and several together pass, as the document says.
 */
class MemoryWindowTest {
  static final GpuProfiles PROFILES = GpuProfiles.bundled();
  static final GpuProfiles.Defaults D = PROFILES.defaults();
  static final GpuProfiles.Profile H100 = PROFILES.find("NVIDIA H100 80GB HBM3").orElseThrow();
  static final int N = ChallengeIssuer.DEFAULT_DIM;

  static ChallengeMemory defaults(GpuProfiles.Profile p) {
    return MemorySoundnessTableTest.terms(p, 1);
  }

  @Test
  void terms_h100AtTheDefaults_keepTheFractionForAboutTheSecondsPlanned() {
    ChallengeMemory m = defaults(H100);
    // 0.85 x 80 GiB in products of 32 MiB
    assertEquals(2176, m.kept());
    double seconds = m.passes() * (double) m.keptBytes(N) / (H100.memoryTBps() * 1e12);
    assertTrue(Math.abs(seconds - D.memorySeconds()) < 0.05, "planned " + seconds + " s");
  }

  @Test
  void terms_fewIterations_keepThemAllAndCapThePasses() {
    ChallengeMemory m = MemoryWindow.terms(H100, D, 64, 4, 2);
    assertEquals(4, m.kept());
    assertEquals(Limits.MAX_PASSES, m.passes());
  }

  @Test
  void terms_tooManyProductsForTheLimit_isNone() {
    // 64 devices x 65537 kept products of n = 64: no pass fits MAX_MEMORY_VECTORS
    assertNull(MemoryWindow.terms(H100, D, 64, 1 << 16 | 1, 64));
  }

  /**
   * The window is e x (1 + 0.40) plus the allowances: an honest device streaming at 75% of
   * the vendor's peak passes, at 65% it fails. The tolerance is provisional until attestor
   * bench has measured the pass kernel (docs/soundness.md section 9).
   */
  @Test
  void window_honestDevice_passesDownToTheTolerancesShareOfThePeak() {
    ChallengeMemory m = defaults(H100);
    MemoryWindow w = MemoryWindow.of(H100, D, N, m, MemoryCheats.ROUND_TRIP);
    assertTrue(honest(0.75, m) <= w.maxSeconds(), "75% of the peak");
    assertTrue(honest(0.65, m) > w.maxSeconds(), "65% of the peak");
  }

  private static double honest(double shareOfPeak, ChallengeMemory m) {
    return m.passes() * m.keptBytes(N) / (H100.memoryTBps() * shareOfPeak * 1e12)
        + MemoryCheats.ROUND_TRIP + MemoryCheats.COMMIT;
  }

  /**
   * The soundness of the verdict's sentence: for every model, every share of the kept set
   * held (compressed or not), made up by recomputing, by the host link or both, a device that
   * answers inside the window stores at least the bytes the window says it proves.
   */
  @Test
  void provenBytes_neverMoreThanAPassingDeviceHolds() {
    List<String> failures = new ArrayList<>();
    for (GpuProfiles.Profile p : PROFILES.profiles()) {
      ChallengeMemory m = defaults(p);
      MemoryWindow w = MemoryWindow.of(p, D, N, m, MemoryCheats.ROUND_TRIP);
      MemoryCheats.Device full = MemoryCheats.Device.of(p, D);
      List<MemoryCheats.Device> ways = List.of(full,
          new MemoryCheats.Device(p.model(), p.memoryGiB(), p.memoryTBps(), 0,
              p.fp64TensorTflops()),
          new MemoryCheats.Device(p.model(), p.memoryGiB(), p.memoryTBps(), D.hostLinkTBps(),
              0));
      for (MemoryCheats.Device d : ways) {
        for (boolean compressed : new boolean[] {false, true}) {
          for (int k = 0; k <= 1000; k++) {
            double held = m.keptBytes(N) * k / 1000.0;
            double stored = compressed ? held * MemoryWindow.INCOMPRESSIBLE_SHARE : held;
            if (stored > d.memoryGiB() * MemoryWindow.GIB
                || MemoryCheats.seconds(d, N, m, held, compressed) > w.maxSeconds()) {
              continue;
            }
            if (stored < w.provenBytes()) {
              failures.add(p.model() + ": holds " + stored + " bytes, passes, and the window"
                  + " says " + w.provenBytes());
            }
          }
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /** The fraud this phase is for: 80 GB posing as 141 GB. */
  @Test
  void window_h100ClaimingH200_failsByOverThreeTimes() {
    GpuProfiles.Profile h200 = PROFILES.find("NVIDIA H200").orElseThrow();
    ChallengeMemory m = defaults(h200);
    MemoryWindow w = MemoryWindow.of(h200, D, N, m, MemoryCheats.ROUND_TRIP);
    double best = MemoryCheats.best(MemoryCheats.Device.of(H100, D), N, m);
    assertTrue(best > 3 * w.maxSeconds(), best + " s against " + w.maxSeconds());
  }

  @Test
  void window_a100With40GbClaiming80Gb_failsByOverThreeTimes() {
    GpuProfiles.Profile big = PROFILES.find("NVIDIA A100-SXM4-80GB").orElseThrow();
    GpuProfiles.Profile small = PROFILES.find("NVIDIA A100-SXM4-40GB").orElseThrow();
    ChallengeMemory m = defaults(big);
    MemoryWindow w = MemoryWindow.of(big, D, N, m, MemoryCheats.ROUND_TRIP);
    double best = MemoryCheats.best(MemoryCheats.Device.of(small, D), N, m);
    assertTrue(best > 3 * w.maxSeconds(), best + " s against " + w.maxSeconds());
  }

  /** Said plainly in the document: more hardware than it fakes passes. */
  @Test
  void window_twoH100sPosingAsOneH200_pass() {
    GpuProfiles.Profile h200 = PROFILES.find("NVIDIA H200").orElseThrow();
    ChallengeMemory m = defaults(h200);
    MemoryWindow w = MemoryWindow.of(h200, D, N, m, MemoryCheats.ROUND_TRIP);
    MemoryCheats.Device two = new MemoryCheats.Device("2 x H100", 2 * H100.memoryGiB(),
        2 * H100.memoryTBps(), 2 * D.hostLinkTBps(), 2 * H100.fp64TensorTflops());
    assertTrue(MemoryCheats.best(two, N, m) < w.maxSeconds());
  }

  @Test
  void of_profileWithoutMemoryFigures_isRefused() {
    GpuProfiles.Profile none = new GpuProfiles.Profile("X", 1, 1, 1, 1, 1, false);
    assertThrows(IllegalArgumentException.class,
        () -> MemoryWindow.of(none, D, 64, new ChallengeMemory(1, 1, 1), 0));
  }
}
