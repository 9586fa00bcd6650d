package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.gpuattest.common.Limits;
import org.gpuattest.common.gpu.IdealSchedule;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.validator.ChallengeIssuer.Field;
import org.gpuattest.validator.ChallengeIssuer.InvalidRequestException;
import org.junit.jupiter.api.Test;

/**
 * A measured rate holds at the n it was measured at, and only there (docs/soundness.md section
 * 7, "Calibrated timing"): an honest GPU whose loop rate depends on n through its grid's last
 * wave and which kernels' tiles divide n passes at every n the issuer accepts on a profile
 * calibrated at some n, while one profile rate held at every n fails it.
 */
class CalibratedDimsTest {
  private static final String MODEL = "NVIDIA H100 80GB HBM3";
  private static final GpuProfiles BUNDLED = GpuProfiles.bundled();
  private static final GpuProfiles.Defaults DEFAULTS = BUNDLED.defaults();
  private static final GpuProfiles.Profile H100 = BUNDLED.find(MODEL).orElseThrow();
  private static final SmArchitecture HOPPER = SmArchitecture.find("9.0").orElseThrow();

  /**
   * A stand-in for an honest H100's prove loop at n, TFLOP/s: 88% of the tensor peak with
   * every SM busy, times its grid's SM fill, for matmul_dmma_wide where its tile divides n and
   * matmul_dmma at 2/3 of that speed elsewhere (docs/benchmarks.md, "Defaults from the model"),
   * less hashing that adds 3% at n = 2048 and shrinks as 1/n.
   */
  static double honestRate(int n) {
    ProductGeometry k = ProductGeometry.MATMUL_DMMA_WIDE.fits(n)
        ? ProductGeometry.MATMUL_DMMA_WIDE : ProductGeometry.MATMUL_DMMA;
    double speed = k == ProductGeometry.MATMUL_DMMA_WIDE ? 1.0 : 2.0 / 3.0;
    double fill = new IdealSchedule(k.blocks(n), H100.smCount(), k.blocksPerSm(HOPPER))
        .smFill();
    double hashing = 1 + 0.03 * 2048.0 / n;
    return 0.88 * H100.fp64TensorTflops() * speed * fill / hashing;
  }

  /** H100 measured with this stand-in at {@code dims}, the first as canonicalDim. */
  static GpuProfiles measuredAt(int... dims) {
    Map<String, Double> more = new java.util.HashMap<>();
    for (int i = 1; i < dims.length; i++) {
      more.put(String.valueOf(dims[i]), honestRate(dims[i]));
    }
    GpuProfiles.Profile p = new GpuProfiles.Profile(MODEL, H100.smCount(), H100.memoryGiB(),
        H100.fp64Tflops(), H100.fp64TensorTflops(), honestRate(dims[0]), true,
        H100.memoryTBps(), H100.memoryMeasured(), dims[0], more.isEmpty() ? null : more);
    return new GpuProfiles(1, "calibrated", DEFAULTS, List.of(p));
  }

  private static ChallengeIssuer issuer(GpuProfiles profiles) {
    return new ChallengeIssuer(profiles, new SecureRandom(),
        Clock.fixed(Instant.parse("2026-12-05T00:00:00Z"), ZoneOffset.UTC));
  }

  private static ChallengeIssuer.Request request(int n, boolean weak) {
    return ChallengeIssuer.Request.builder().gpus(8).model(MODEL).dim(n).samples(8)
        .weakTiming(weak).build();
  }

  /**
   * Whether an honest run of this challenge, 5% slower than the stand-in's rate, fits the
   * ready/go window with the round trip at the cap.
   */
  private static boolean honestPasses(GpuProfiles profiles, Challenge c) {
    GpuProfiles.Profile p = profiles.find(MODEL).orElseThrow();
    TimingWindow w = TimingWindow.readyGo(p, profiles.defaults(), c.dim(), c.iterations(),
        profiles.defaults().maxRoundTripSeconds());
    double work = TimingWindow.flopsPerDevice(c.dim(), c.iterations())
        / (honestRate(c.dim()) * 1e12) * 1.05;
    return work + profiles.defaults().maxRoundTripSeconds() + profiles.defaults().commitSeconds()
        <= w.maxSeconds();
  }

  /** Every n the issuer accepts for this table, with or without weak timing. */
  private static List<Challenge> issuedEverywhere(GpuProfiles profiles, boolean weak)
      throws Exception {
    List<Challenge> out = new ArrayList<>();
    for (int n = Limits.MIN_DIM; n <= Limits.MAX_DIM; n += Limits.DIM_MULTIPLE) {
      try {
        out.add(issuer(profiles).issue(request(n, weak)).decodedChallenge().value());
      } catch (InvalidRequestException refused) {
        // not issued at this n
      }
    }
    return out;
  }

  @Test
  void issue_measuredProfile_onlyAtCalibratedDims_andHonestGpuPassesThere() throws Exception {
    GpuProfiles profiles = measuredAt(2048, 4096);
    for (boolean weak : new boolean[] {false, true}) {
      List<Challenge> issued = issuedEverywhere(profiles, weak);
      TreeSet<Integer> dims = new TreeSet<>();
      issued.forEach(c -> dims.add(c.dim()));
      assertEquals(new TreeSet<>(List.of(2048, 4096)), dims, "weak timing " + weak);
      for (Challenge c : issued) {
        assertTrue(honestPasses(profiles, c), "n = " + c.dim() + ", weak timing " + weak);
      }
    }
  }

  /**
   * The hazard the rule removes: the same GPU held at every n to the one rate it showed at
   * 2048 fails at some n the issuer accepted (2304 and 2560 among them: a thinner last wave).
   */
  @Test
  void issue_oneRateAtEveryDim_failsTheHonestGpuSomewhere() throws Exception {
    GpuProfiles.Profile p = measuredAt(2048).find(MODEL).orElseThrow();
    GpuProfiles provisional = new GpuProfiles(1, "one rate", DEFAULTS, List.of(
        new GpuProfiles.Profile(MODEL, p.smCount(), p.memoryGiB(), p.fp64Tflops(),
            p.fp64TensorTflops(), p.canonicalTflops(), false, p.memoryTBps(),
            p.memoryMeasured())));
    List<Integer> failing = new ArrayList<>();
    for (Challenge c : issuedEverywhere(provisional, false)) {
      if (!honestPasses(provisional, c)) {
        failing.add(c.dim());
      }
    }
    assertTrue(failing.contains(2304) && failing.contains(2560), "failing: " + failing);
    assertFalse(failing.contains(2048), "failing: " + failing);
  }

  @Test
  void issue_uncalibratedDim_refusedNamingTheMeasuredOnes() {
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> issuer(measuredAt(2048, 4096)).issue(request(2560, true)));
    assertEquals(Field.DIM, e.field());
    assertTrue(e.getMessage().startsWith("dim: the rate of '" + MODEL + "' was measured at dim"
        + " 2048, 4096 only, not 2560"), e.getMessage());
    assertTrue(e.getMessage().contains("'attestor bench --dim 2560'"), e.getMessage());
    assertTrue(e.detail(f -> "--" + f.name().toLowerCase(java.util.Locale.ROOT))
        .contains("use --dim 2048, 4096"), e.getMessage());
  }

  @Test
  void rateAt_calibratedDim_usesItsRate_andTheWindowFollows() throws Exception {
    GpuProfiles profiles = measuredAt(2048, 4096);
    GpuProfiles.Profile p = profiles.find(MODEL).orElseThrow();
    assertEquals(honestRate(4096), p.rateAt(4096));
    assertEquals(honestRate(2048), p.rateAt(2048));
    assertEquals(p.canonicalTflops(), p.rateAt(2560), "uncalibrated n: the base rate");
    Challenge c = issuer(profiles).issue(request(4096, false)).decodedChallenge().value();
    // About the default 10 s of work at 4096's own rate, not at 2048's.
    double seconds = TimingWindow.flopsPerDevice(4096, c.iterations()) / (p.rateAt(4096) * 1e12);
    assertEquals(ChallengeIssuer.DEFAULT_SECONDS, seconds, 0.1);
    TimingWindow w = TimingWindow.readyGo(p, DEFAULTS, 4096, c.iterations(), 0);
    assertEquals(seconds, w.expectedSeconds(), 1e-9);
  }

  @Test
  void issue_provisionalProfile_everyDimAsBefore() throws Exception {
    assertFalse(H100.canonicalMeasured());
    assertTrue(issuedEverywhere(BUNDLED, false).size() > 200);
  }

  @Test
  void profile_badCalibration_refusedNamingTheEntry() {
    IllegalArgumentException repeat = assertThrows(IllegalArgumentException.class,
        () -> measuredAt(2048, 2048));
    assertEquals("canonicalTflopsByDim.2048 repeats canonicalDim (2048), whose rate is"
        + " canonicalTflops", repeat.getMessage());
    IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
        () -> measuredAt(2048, 100));
    assertEquals("canonicalTflopsByDim key '100' is not a size n (a multiple of 64 in [64,"
        + " 16384])", odd.getMessage());
    IllegalArgumentException fast = assertThrows(IllegalArgumentException.class,
        () -> new GpuProfiles.Profile(MODEL, 132, 80, 33.5, 67.0, 50.0, true, null, null, 2048,
            Map.of("4096", 70.0)));
    assertEquals("canonicalTflopsByDim.4096 must be <= fp64TensorTflops (67.0), got 70.0",
        fast.getMessage());
    IllegalArgumentException base = assertThrows(IllegalArgumentException.class,
        () -> new GpuProfiles.Profile(MODEL, 132, 80, 33.5, 67.0, 50.0, true, null, null, 2000,
            null));
    assertTrue(base.getMessage().startsWith("canonicalDim must be a multiple of 64"),
        base.getMessage());
  }
}
