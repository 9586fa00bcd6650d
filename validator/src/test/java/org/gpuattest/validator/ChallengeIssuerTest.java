package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.gpuattest.validator.ChallengeIssuer.Field;
import org.gpuattest.validator.ChallengeIssuer.InvalidRequestException;
import org.junit.jupiter.api.Test;

/** The issuer as a library: refusals name the request's fields, never a CLI's options. */
class ChallengeIssuerTest {
  private static final String MODEL = "NVIDIA H100 80GB HBM3";
  private final ChallengeIssuer issuer = new ChallengeIssuer(GpuProfiles.bundled(),
      new SecureRandom(), Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

  private InvalidRequestException refused(ChallengeIssuer.Request r) {
    return assertThrows(InvalidRequestException.class, () -> issuer.issue(r));
  }

  /** The builder's defaults are the CLI's: 'validator attest --gpus G --model M'. */
  @Test
  void builder_onlyGpusAndModel_cliDefaults() {
    ChallengeIssuer.Request r = ChallengeIssuer.Request.builder().gpus(8).model(MODEL).build();
    assertEquals(new ChallengeIssuer.Request(8, MODEL, ChallengeIssuer.DEFAULT_DIM, null, null,
        ChallengeIssuer.DEFAULT_SAMPLES, null, null, null, ChallengeIssuer.TimedFrom.GO, false),
        r);
  }

  @Test
  void builder_withoutGpusOrModel_refusesNamingIt() {
    IllegalStateException noGpus = assertThrows(IllegalStateException.class,
        () -> ChallengeIssuer.Request.builder().model(MODEL).build());
    assertTrue(noGpus.getMessage().contains("gpus is not set"), noGpus.getMessage());
    IllegalStateException noModel = assertThrows(IllegalStateException.class,
        () -> ChallengeIssuer.Request.builder().gpus(1).build());
    assertTrue(noModel.getMessage().contains("model is not set"), noModel.getMessage());
  }

  @Test
  void issue_badDevices_namesTheField() {
    InvalidRequestException e = refused(separate(0, MODEL, 1, null));
    assertEquals(Field.DEVICES, e.field());
    assertEquals("devices: must be in [1, 64], got 0", e.getMessage());
  }

  @Test
  void issue_secondsNeedTooManyIterations_otherFieldsNamedByTheCaller() {
    InvalidRequestException e = refused(separate(1, MODEL, null, 10.0));
    assertEquals(Field.SECONDS, e.field());
    assertFalse(e.getMessage().contains("--"), e.getMessage());
    assertTrue(e.getMessage().contains("choose a larger dim or give iterations"),
        e.getMessage());
    String cli = e.detail(f -> "--" + f.name().toLowerCase(java.util.Locale.ROOT));
    assertTrue(cli.contains("choose a larger --dim or give --iterations"), cli);
  }

  @Test
  void issue_unknownModel_namesTheModelField() {
    assertEquals(Field.MODEL, refused(separate(1, "Acme 1", 1, null)).field());
  }

  @Test
  void issue_valid_sessionWithoutSamplingSeed() throws Exception {
    Session s = issuer.issue(separate(1, MODEL, 1, null));
    assertNull(s.samplingSeed());
    assertNull(s.commitment());
  }

  /** n = 64, 8 samples, as the separate commands issue: timed from issue, weak accepted. */
  private static ChallengeIssuer.Request separate(int devices, String model, Integer iterations,
      Double seconds) {
    return ChallengeIssuer.Request.builder().gpus(devices).model(model).dim(64)
        .iterations(iterations).seconds(seconds).samples(8)
        .timedFrom(ChallengeIssuer.TimedFrom.ISSUE).weakTiming(true).build();
  }

  private static ChallengeIssuer.Request timed(int devices, int dim, Integer iterations,
      Double seconds, ChallengeIssuer.TimedFrom from, boolean weak) {
    return ChallengeIssuer.Request.builder().gpus(devices).model(MODEL).dim(dim)
        .iterations(iterations).seconds(seconds).samples(8).timedFrom(from).weakTiming(weak)
        .build();
  }

  @Test
  void issue_readyGoDefaultSize_accepted() throws Exception {
    Session s = issuer.issue(timed(8, ChallengeIssuer.DEFAULT_DIM, null, null,
        ChallengeIssuer.TimedFrom.GO, false));
    assertEquals(ChallengeIssuer.DEFAULT_DIM, s.decodedChallenge().value().dim());
  }

  @Test
  void detail_callerThatNamesNotEveryField_namesTheRestAsTheRequestDoes() {
    // A caller's map from an older set of fields (the service's fleet file had no name for
    // the memory phase's field) must not turn a refusal into a NullPointerException.
    InvalidRequestException e = refused(timed(8, 2048, null, 2.0, ChallengeIssuer.TimedFrom.GO,
        false));
    String text = e.detail(f -> f == Field.SECONDS ? "seconds" : null);
    assertTrue(text.contains("with seconds, or give weak_timing to issue it anyway"), text);
  }

  @Test
  void issue_readyGoTooShort_refusedSayingWhatItProvesAndHowToFix() {
    InvalidRequestException e = refused(timed(8, 2048, null, 2.0, ChallengeIssuer.TimedFrom.GO,
        false));
    assertEquals(Field.SECONDS, e.field());
    String cli = e.detail(f -> "--" + f.name().toLowerCase(java.util.Locale.ROOT)
        .replace('_', '-'));
    assertTrue(cli.contains("would prove at most 6."), cli);
    assertTrue(cli.contains("of 8 " + MODEL + " GPUs' canonical rate"), cli);
    assertTrue(cli.contains("ask for at least 3.4 s of work with --seconds, or give"
        + " --weak-timing to issue it anyway"), cli);
    assertEquals(1, cli.lines().count(), cli);
    assertTrue(assertDoesNotThrowIssue(timed(8, 2048, null, 3.4, ChallengeIssuer.TimedFrom.GO,
        false)));
  }

  @Test
  void issue_readyGoDimTooSmallForAnyLength_namesTheLeastDim() {
    InvalidRequestException e = refused(timed(1, 64, 1000, null, ChallengeIssuer.TimedFrom.GO,
        false));
    assertEquals(Field.ITERATIONS, e.field());
    int least = TimingStrength.minDim(GpuProfiles.bundled().find(MODEL).orElseThrow(),
        GpuProfiles.bundled().defaults());
    assertTrue(e.getMessage().contains("no length is enough at dim 64: use dim " + least
        + " or more, or give weak_timing"), e.getMessage());
  }

  @Test
  void issue_timedFromIssue_needsWeakTiming() throws Exception {
    InvalidRequestException e = refused(timed(1, 2048, null, 600.0,
        ChallengeIssuer.TimedFrom.ISSUE, false));
    assertEquals(Field.WEAK_TIMING, e.field());
    assertTrue(e.getMessage().contains("start-up (20 s)"), e.getMessage());
    assertTrue(e.getMessage().endsWith("give weak_timing to issue it anyway"), e.getMessage());
    assertTrue(assertDoesNotThrowIssue(timed(1, 2048, null, 10.0,
        ChallengeIssuer.TimedFrom.ISSUE, true)));
  }

  private boolean assertDoesNotThrowIssue(ChallengeIssuer.Request r) {
    try {
      return issuer.issue(r) != null;
    } catch (Exception e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
