package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.junit.jupiter.api.Test;

/**
 * The strict JSON reading of every message (Json's contract): each refusal is a
 * BadMessageException of one line that starts with the message name and names the field.
 */
class JsonStrictnessTest {

  @Test
  void read_validChallenge_isAccepted() throws BadMessageException {
    Challenge c = read(ChallengeJson.VALID);
    assertEquals(64, c.dim());
    assertEquals(2, c.iterations());
  }

  @Test
  void read_eachMalformation_throwsOneLineNamingTheField() {
    String[][] cases = { // what, JSON, text the message must contain
      {"unknown field", ChallengeJson.VALID.replace("\"dim\"", "\"dimm\": 64,\n  \"dim\""),
          "dimm"},
      {"unknown nested field", ChallengeJson.with("model", "{\"name\": \"x\"}"), "model"},
      {"duplicate key", ChallengeJson.VALID.replace("\"dim\": 64,", "\"dim\": 64, \"dim\": 128,"),
          "dim"},
      {"null for a required number", ChallengeJson.with("dim", "null"), "dim"},
      {"null for a required number (samples)", ChallengeJson.with("samples", "null"),
          "samples"},
      {"missing required number", ChallengeJson.without("dim"), "dim"},
      {"missing required number (samples)", ChallengeJson.without("samples"), "samples"},
      {"missing required string", ChallengeJson.without("seed"), "seed"},
      {"null for a required string", ChallengeJson.with("seed", "null"), "seed"},
      {"float for an int", ChallengeJson.with("dim", "64.5"), "dim"},
      {"integral float for an int", ChallengeJson.with("iterations", "2.0"), "iterations"},
      {"exponent for an int", ChallengeJson.with("dim", "6.4e1"), "dim"},
      {"string for an int", ChallengeJson.with("dim", "\"64\""), "dim"},
      {"boolean for an int", ChallengeJson.with("devices", "true"), "devices"},
      {"int overflow", ChallengeJson.with("dim", "4294967360"), "dim"},
      {"unknown version", ChallengeJson.with("version", "2"), "version"},
      {"array for an object", "[" + ChallengeJson.VALID + "]", "challenge"},
    };
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      String problem = refusal(c[1], c[2]);
      if (problem != null) {
        failures.add(c[0] + ": " + problem);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void read_trailingTokens_throwsOneLineSayingTrailing() {
    for (String tail : new String[] {"{}", "x", "1", "\"s\"", "]"}) {
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> read(ChallengeJson.VALID + tail), "tail " + tail);
      assertOneLine(e);
      assertTrue(e.getMessage().toLowerCase().contains("trailing")
          || e.getMessage().contains("invalid JSON"), e.getMessage());
    }
  }

  @Test
  void read_truncatedJson_throwsOneLineSayingTruncated() {
    String json = ChallengeJson.VALID;
    for (int cut : new int[] {1, json.indexOf("\"dim\""), json.indexOf("64"), json.length() - 3}) {
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> read(json.substring(0, cut)), "cut at " + cut);
      assertOneLine(e);
      assertTrue(e.getMessage().startsWith("challenge: "), e.getMessage());
    }
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> read(json.substring(0, json.indexOf("\"dim\""))));
    assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("end-of-input"),
        e.getMessage());
  }

  @Test
  void read_notJsonAtAll_throwsOneLine() {
    for (String text : new String[] {"", "hello", "{'dim': 64}", "{dim: 64}", "\u0000"}) {
      BadMessageException e = assertThrows(BadMessageException.class, () -> read(text),
          "input " + text);
      assertOneLine(e);
    }
  }

  /** A bad value inside a list is named by its full path, index included. */
  @Test
  void read_badValueInNestedList_namesThePathWithIndex() {
    String digest = "00".repeat(32);
    String json = "{\"version\": 1, \"challengeDigest\": \"" + digest + "\", "
        + "\"commitmentDigest\": \"" + digest + "\", \"samples\": ["
        + "{\"device\": 0, \"iteration\": 0, \"row\": 1}, "
        + "{\"device\": 0, \"iteration\": 0, \"row\": \"7\"}]}";
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> Json.read("opening request", json.getBytes(StandardCharsets.UTF_8),
            OpeningRequest.class));
    assertOneLine(e);
    assertTrue(e.getMessage().startsWith("opening request: field 'samples[1].row'"),
        e.getMessage());
  }

  /**
   * The JSON Schema (testdata/schemas/challenge.schema.json) makes model and id strings;
   * Jackson's default scalar coercion would read {"model": 5} as "5" and a 32-digit number as
   * a valid hex id, so Json turns that coercion off.
   */
  @Test
  void read_numberOrBooleanForAStringField_throwsNamingTheField() {
    String[][] cases = {
      {"number for model", ChallengeJson.with("model", "5"), "model"},
      {"float for model", ChallengeJson.with("model", "1.5"), "model"},
      {"boolean for model", ChallengeJson.with("model", "true"), "model"},
      {"number for id", ChallengeJson.with("id", "12345678901234567890123456789012"), "id"},
    };
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      String problem = refusal(c[1], c[2]);
      if (problem != null) {
        failures.add(c[0] + ": " + problem);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void writeThenRead_challenge_roundTripsAndOmitsAbsentSignature() throws BadMessageException {
    Challenge c = read(ChallengeJson.VALID);
    String written = Json.writeString(c);
    assertFalse(written.contains("signature"), written);
    assertFalse(written.contains("philoxKey"), written);
    assertEquals(c, read(written));
  }

  /** null when the JSON is refused as it should be, otherwise what went wrong. */
  private static String refusal(String json, String mustName) {
    try {
      read(json);
      return "accepted";
    } catch (BadMessageException e) {
      String m = e.getMessage();
      if (m.contains("\n") || m.contains("\r")) {
        return "message has several lines: " + m;
      }
      if (!m.startsWith("challenge: ")) {
        return "message does not start with the message name: " + m;
      }
      if (!m.contains(mustName)) {
        return "message does not name '" + mustName + "': " + m;
      }
      return null;
    } catch (RuntimeException e) {
      return "threw " + e;
    }
  }

  private static Challenge read(String json) throws BadMessageException {
    return Json.read("challenge", json.getBytes(StandardCharsets.UTF_8), Challenge.class);
  }

  private static void assertOneLine(BadMessageException e) {
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }
}
