package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.junit.jupiter.api.Test;

/**
 * The issuer's memory terms (docs/protocol.md section 4.1): asked for, they are the window's
 * terms for the claimed model; not asked for, or for a model without memory figures, there are
 * none; from the issue they are refused; and without weak timing, a challenge too short to keep
 * the fraction, or at an n where a product is cheaper to recompute than to read, is refused
 * naming what fixes it.
 */
class ChallengeIssuerMemoryTest {
  static final String H100 = "NVIDIA H100 80GB HBM3";
  static final GpuProfiles PROFILES = GpuProfiles.bundled();

  private static ChallengeIssuer issuer(GpuProfiles profiles) {
    return new ChallengeIssuer(profiles, new SecureRandom(),
        Clock.fixed(Instant.parse("2030-01-02T03:04:05Z"), ZoneOffset.UTC));
  }

  private static ChallengeIssuer.Builder request() {
    return ChallengeIssuer.Request.builder().gpus(1).model(H100)
        .timedFrom(ChallengeIssuer.TimedFrom.GO);
  }

  private static Challenge issue(ChallengeIssuer.Builder b) throws Exception {
    return issuer(PROFILES).issue(b.build()).decodedChallenge().value();
  }

  @Test
  void issue_memoryAtTheDefaults_carriesTheWindowsTerms() throws Exception {
    Challenge c = issue(request().memory(true));
    ChallengeMemory expected = MemoryWindow.terms(PROFILES.find(H100).orElseThrow(),
        PROFILES.defaults(), c.dim(), c.iterations(), 1);
    assertEquals(expected, c.memory());
    assertEquals(2176, c.memory().kept());
  }

  @Test
  void issue_memoryNotAskedFor_hasNone() throws Exception {
    assertNull(issue(request()).memory());
  }

  @Test
  void issue_modelWithoutMemoryFigures_hasNone() throws Exception {
    GpuProfiles.Profile p = PROFILES.find(H100).orElseThrow();
    GpuProfiles without = new GpuProfiles(1, "test", PROFILES.defaults(), java.util.List.of(
        new GpuProfiles.Profile(H100, p.smCount(), p.memoryGiB(), p.fp64Tflops(),
            p.fp64TensorTflops(), p.canonicalTflops(), false)));
    assertNull(issuer(without).issue(request().memory(true).build()).decodedChallenge()
        .value().memory());
  }

  @Test
  void issue_memoryFromTheIssue_isRefused() {
    ChallengeIssuer.InvalidRequestException e = assertThrows(
        ChallengeIssuer.InvalidRequestException.class, () -> issue(request().memory(true)
            .timedFrom(ChallengeIssuer.TimedFrom.ISSUE).weakTiming(true)));
    assertEquals(ChallengeIssuer.Field.MEMORY, e.field());
  }

  @Test
  void issue_tooFewIterationsToKeepTheFraction_isRefusedNamingTheFix() {
    // n = 4096: 544 products of 128 MiB, 5.4 s of work; 4 s is strong timing, too few
    ChallengeIssuer.InvalidRequestException e = assertThrows(
        ChallengeIssuer.InvalidRequestException.class, () -> issue(request().memory(true)
            .dim(4096).seconds(4.0)));
    assertEquals(ChallengeIssuer.Field.SECONDS, e.field());
    assertTrue(e.getMessage().contains("keeping 0.85 of the 80 GiB of a NVIDIA H100 80GB HBM3"
        + " at dim 4096 takes 544 iterations"), e.getMessage());
    assertTrue(e.getMessage().endsWith("or give memory"), e.getMessage());
  }

  /**
   * Passes planned to take 10 ms: the allowances and what can be recomputed in them outweigh
   * the passes, and the window proves little.
   */
  @Test
  void issue_passesTooShortForTheAllowances_isRefusedAsProvingLittle() throws Exception {
    GpuProfiles.Defaults d = PROFILES.defaults();
    GpuProfiles shortPasses = new GpuProfiles(1, "test", new GpuProfiles.Defaults(
        d.startupSeconds(), d.perDeviceSeconds(), d.perIterationSeconds(), d.slack(),
        d.tolerance(), d.maxRoundTripSeconds(), d.commitSeconds(), d.maxSmImbalance(),
        d.minBusyFraction(), d.memoryFraction(), d.memoryTolerance(), 0.01, d.hostLinkTBps()),
        PROFILES.profiles());
    ChallengeIssuer.InvalidRequestException e = assertThrows(
        ChallengeIssuer.InvalidRequestException.class,
        () -> issuer(shortPasses).issue(request().memory(true).build()));
    assertEquals(ChallengeIssuer.Field.DIM, e.field());
    assertTrue(e.getMessage().contains("the memory phase would prove at most"), e.getMessage());
  }

  @Test
  void issue_weakTimingSmallChallenge_keepsWhatThereIs() throws Exception {
    Challenge c = issue(request().memory(true).dim(128).iterations(4).weakTiming(true));
    assertNotNull(c.memory());
    assertEquals(4, c.memory().kept());
  }
}
