package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.junit.jupiter.api.Test;

/**
 * Challenge's range rules (canonical-v1 "Inputs" and Limits), enforced when the record is
 * built, so a hostile challenge is refused at decoding with the field named.
 */
class ChallengeValidationTest {

  @Test
  void decode_eachOutOfRangeValue_throwsOneLineNamingTheField() {
    String[][] cases = { // field, raw JSON value, text the message must contain
      {"dim", "0", "dim must be in [64, 16384], got 0"},
      {"dim", "-64", "dim must be in [64, 16384], got -64"},
      {"dim", "100", "dim must be a multiple of 64, got 100"},
      {"dim", "16448", "dim must be in [64, 16384], got 16448"},
      {"dim", "32", "dim must be in [64, 16384], got 32"},
      {"iterations", "0", "iterations must be in [1, 1048576], got 0"},
      {"iterations", "-1", "iterations must be in [1, 1048576], got -1"},
      {"devices", "0", "devices must be in [1, 64], got 0"},
      {"devices", "65", "devices must be in [1, 64], got 65"},
      {"samples", "0", "samples must be in [1, 4096], got 0"},
      {"samples", "4097", "samples must be in [1, 4096], got 4097"},
      {"version", "2", "version 2 of the challenge is unknown"},
      {"version", "0", "version 0 of the challenge is unknown"},
      {"id", "\"0011\"", "id must be 32 hex digits"},
      {"seed", "\"" + "zz".repeat(32) + "\"", "seed is not hexadecimal"},
      {"issuedAt", "\"yesterday\"", "issuedAt is not an ISO-8601 instant"},
      {"expiresAt", "\"2025-12-31T23:59:59Z\"", "expiresAt must be after issuedAt"},
      // A week and a second: no challenge outlives the replay store's pruning floor.
      {"expiresAt", "\"2026-01-08T00:00:01Z\"", "expiresAt must be at most 604800 s (7 days)"},
      {"expiresAt", "\"+292279051-01-01T00:00:00Z\"", "expiresAt must be at most 604800 s"},
      {"model", "\"" + "m".repeat(Limits.MAX_TEXT + 1) + "\"", "model is longer than 512"},
    };
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      String text = ChallengeJson.base64(ChallengeJson.with(c[0], c[1]));
      try {
        MessageCodec.decode("challenge", text, Challenge.class);
        failures.add(c[0] + " = " + abbreviate(c[1]) + ": accepted");
      } catch (BadMessageException e) {
        String m = e.getMessage();
        if (!m.startsWith("challenge: " + c[2]) || m.contains("\n")) {
          failures.add(c[0] + " = " + abbreviate(c[1]) + ": '" + m + "', expected '"
              + c[2] + "'");
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void decode_boundaryValues_areAccepted() {
    String[][] cases = {
      {"dim", "64"}, {"dim", "16384"}, {"iterations", "1"}, {"iterations", "1048576"},
      {"devices", "1"}, {"samples", "1"}, {"samples", "4096"},
    };
    for (String[] c : cases) {
      String text = ChallengeJson.base64(ChallengeJson.with(c[0], c[1]));
      assertDoesNotThrow(() -> MessageCodec.decode("challenge", text, Challenge.class),
          c[0] + " = " + c[1]);
    }
  }

  @Test
  void decode_devicesTimesIterationsOverLimit_throwsNamingBoth() {
    String json = ChallengeJson.with("devices", "64").replace("\"iterations\": 2",
        "\"iterations\": 16385");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageCodec.decode("challenge", ChallengeJson.base64(json), Challenge.class));
    assertEquals("challenge: devices x iterations must be at most 1048576, got 1048640",
        e.getMessage());
  }

  @Test
  void decode_keyWithoutSignature_throwsNamingBoth() {
    String json = ChallengeJson.VALID.replace("\"samples\": 8",
        "\"samples\": 8,\n  \"validatorPublicKey\": \"k\"");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageCodec.decode("challenge", ChallengeJson.base64(json), Challenge.class));
    assertTrue(e.getMessage().contains("validatorPublicKey and signature"), e.getMessage());
  }

  @Test
  void constructor_outOfRangeDim_throwsIllegalArgumentWithValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Challenge(1, "00".repeat(16), "00".repeat(32), 100, 1, 1, "m",
            "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z", 1, null, null));
    assertEquals("dim must be a multiple of 64, got 100", e.getMessage());
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
