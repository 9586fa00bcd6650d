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

  @Test
  void issue_badDevices_namesTheField() {
    InvalidRequestException e = refused(new ChallengeIssuer.Request(0, MODEL, 64, 1, null, 8,
        null, null));
    assertEquals(Field.DEVICES, e.field());
    assertEquals("devices: must be in [1, 64], got 0", e.getMessage());
  }

  @Test
  void issue_secondsNeedTooManyIterations_otherFieldsNamedByTheCaller() {
    InvalidRequestException e = refused(new ChallengeIssuer.Request(1, MODEL, 64, null, 10.0,
        8, null, null));
    assertEquals(Field.SECONDS, e.field());
    assertFalse(e.getMessage().contains("--"), e.getMessage());
    assertTrue(e.getMessage().contains("choose a larger dim or give iterations"),
        e.getMessage());
    String cli = e.detail(f -> "--" + f.name().toLowerCase(java.util.Locale.ROOT));
    assertTrue(cli.contains("choose a larger --dim or give --iterations"), cli);
  }

  @Test
  void issue_unknownModel_namesTheModelField() {
    assertEquals(Field.MODEL, refused(new ChallengeIssuer.Request(1, "Acme 1", 64, 1, null, 8,
        null, null)).field());
  }

  @Test
  void issue_valid_sessionWithoutSamplingSeed() throws Exception {
    Session s = issuer.issue(new ChallengeIssuer.Request(1, MODEL, 64, 1, null, 8, null, null));
    assertNull(s.samplingSeed());
    assertNull(s.commitment());
  }
}
