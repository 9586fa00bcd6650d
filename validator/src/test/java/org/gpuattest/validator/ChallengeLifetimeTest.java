package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.validator.ChallengeIssuer.Field;
import org.gpuattest.validator.ChallengeIssuer.InvalidRequestException;
import org.gpuattest.validator.ChallengeIssuer.TimedFrom;
import org.junit.jupiter.api.Test;

/**
 * A challenge's lifetime (docs/protocol.md section 4.1): at most 7 days, the default included;
 * at least the prover's preparation and the timing window, so that a --ttl cannot expire a
 * challenge under a prover that keeps to both; and no figure of an operator's profile, however
 * extreme, overflows it.
 */
class ChallengeLifetimeTest {
  private static final String MODEL = "NVIDIA H100 80GB HBM3";
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final ChallengeIssuer issuer = issuer(GpuProfiles.bundled());

  private static ChallengeIssuer issuer(GpuProfiles profiles) {
    return new ChallengeIssuer(profiles, new SecureRandom(), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static ChallengeIssuer.Builder request(int dim, int iterations, TimedFrom from) {
    return ChallengeIssuer.Request.builder().gpus(1).model(MODEL).dim(dim)
        .iterations(iterations).samples(8).timedFrom(from).weakTiming(true);
  }

  private static Duration lifetime(Session s) throws Exception {
    Challenge c = s.decodedChallenge().value();
    return Duration.between(c.issued(), c.expires());
  }

  /**
   * About 4 days of work at n = 16384: the ready/go window fits in 7 days, the window from
   * issue (twice the work, the slack) does not, and the default lifetime used to take it.
   */
  @Test
  void issue_defaultLifetimeOverSevenDays_cappedAtSevenDays() throws Exception {
    Session s = issuer.issue(request(16384, 540_000, TimedFrom.GO).build());
    assertEquals(ChallengeIssuer.MAX_TTL, lifetime(s));
    assertEquals(Duration.ofDays(7), ChallengeIssuer.MAX_TTL);
  }

  /** The issue's example: n = 16384, T = 2^20, some 8.6 days of work: refused, work named. */
  @Test
  void issue_windowLongerThanSevenDays_refusedNamingTheWork() {
    for (TimedFrom from : TimedFrom.values()) {
      InvalidRequestException e = assertThrows(InvalidRequestException.class,
          () -> issuer.issue(request(16384, 1 << 20, from).build()));
      assertEquals(Field.ITERATIONS, e.field());
      assertTrue(e.getMessage().contains("1048576 iterations at dim 16384 on 1 device need a"
          + " challenge that lives"), e.getMessage());
      assertTrue(e.getMessage().contains("over the 604800 s (7 days) a challenge may live"),
          e.getMessage());
    }
  }

  /**
   * n = 2048, T = 1000: about 1.25 s of work, a ready/go window of some 1.7 s; with 60 s to
   * prepare and 10 s for the ping's pong the least lifetime is 72 s. A --ttl under it is
   * refused naming the least.
   */
  @Test
  void issue_ttlUnderPreparationAndWindow_refusedNamingTheLeast() throws Exception {
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> issuer.issue(request(2048, 1000, TimedFrom.GO).ttl(Duration.ofSeconds(71))
            .build()));
    assertEquals(Field.TTL, e.field());
    assertTrue(e.getMessage().startsWith("ttl: must be at least 72 s for this challenge (the"
        + " prover's preparation, 60.0 s (prepare), the ping, 10.0 s, and the timing window, "),
        e.getMessage());
    assertEquals(Duration.ofSeconds(72), lifetime(issuer.issue(request(2048, 1000,
        TimedFrom.GO).ttl(Duration.ofSeconds(72)).build())));
    // A shorter preparation lowers the least lifetime.
    assertEquals(Duration.ofSeconds(20), lifetime(issuer.issue(request(2048, 1000,
        TimedFrom.GO).prepare(Duration.ofSeconds(5)).ttl(Duration.ofSeconds(20)).build())));
    assertThrows(InvalidRequestException.class, () -> issuer.issue(request(2048, 1000,
        TimedFrom.GO).prepare(Duration.ofSeconds(5)).ttl(Duration.ofSeconds(16)).build()),
        "the ping's 10 s are part of the least lifetime");
  }

  /** Timed from issue (the separate steps): the window from issue is the least. */
  @Test
  void issue_timedFromIssueTtlUnderTheWindow_refused() {
    // Start-up 20 s, 2 s for the device, twice 1.25 s of work: some 24.5 s.
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> issuer.issue(request(2048, 1000, TimedFrom.ISSUE).ttl(Duration.ofSeconds(24))
            .build()));
    assertEquals(Field.TTL, e.field());
    assertTrue(e.getMessage().contains("(the timing window, 24.5 s from the issue)"),
        e.getMessage());
  }

  /** The default covers a long preparation too: a prover that uses all of it is in time. */
  @Test
  void issue_defaultLifetime_holdsPreparationWindowAndMargin() throws Exception {
    Duration prepare = Duration.ofSeconds(600);
    Duration life = lifetime(issuer.issue(request(2048, 1000, TimedFrom.GO).prepare(prepare)
        .build()));
    Duration ping = ReadyGo.PONG_TIMEOUT;
    assertTrue(life.compareTo(prepare.plus(ping).plusSeconds(1)
        .plus(ChallengeIssuer.LIFETIME_MARGIN)) > 0, life::toString);
    assertTrue(life.compareTo(prepare.plus(ping).plusSeconds(3)
        .plus(ChallengeIssuer.LIFETIME_MARGIN)) < 0, life::toString);
  }

  /**
   * The rate at the bottom of its range (a thousandth of a TFLOP/s) and the slack at the top of
   * its: the longest windows an operator's table can make are refused in words, not overflowed.
   */
  @Test
  void issue_slowestProfileAndLargestSlack_refusedWithoutOverflow() throws Exception {
    String json = "{\"version\": 1, \"profiles\": [{\"model\": \"Slow\", \"smCount\": 1,"
        + " \"memoryGiB\": 1, \"fp64Tflops\": 0.001, \"fp64TensorTflops\": 0.001,"
        + " \"canonicalTflops\": 0.001, \"canonicalMeasured\": false}], \"defaults\":"
        + " {\"slack\": 100, \"startupSeconds\": 3600, \"perIterationSeconds\": 1}}";
    GpuProfiles slow = ProfileOverrides.apply(GpuProfiles.bundled(), "x",
        json.getBytes(StandardCharsets.UTF_8));
    for (TimedFrom from : TimedFrom.values()) {
      InvalidRequestException e = assertThrows(InvalidRequestException.class,
          () -> issuer(slow).issue(ChallengeIssuer.Request.builder().gpus(64).model("Slow")
              .dim(16384).iterations(16384).samples(8).timedFrom(from).weakTiming(true)
              .build()));
      assertTrue(e.getMessage().contains("a challenge may live"), e.getMessage());
    }
  }
}
