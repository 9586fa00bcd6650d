package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.junit.jupiter.api.Test;

/**
 * Json's translation of each kind of Jackson failure into the project's words (issue 5, item
 * 1): the field as a path, what was expected and what was found in JSON terms, and never a Java
 * type, a token name, a backtick or a source location.
 */
class JsonErrorWordingTest {

  /** MismatchedInputException and InvalidFormatException: expected and got, in JSON terms. */
  @Test
  void read_wrongJsonType_saysExpectedAndGotInJsonTerms() throws IOException {
    String c = MessageWording.exampleText("commitment");
    String[][] cases = { // JSON, type, exact message
      {c.replaceFirst("\"devices\" : \\[ \\{", "\"devices\" : { \"d\": {")
          .replaceFirst("\\} \\],\n  \"commitmentDigest", "} },\n  \"commitmentDigest"),
          "Commitment", "commitment: field 'devices': expected an array, got an object"},
      {ChallengeJson.with("dim", "\"64\""), "Challenge",
          "challenge: field 'dim': expected an integer, got a string"},
      {ChallengeJson.with("dim", "64.5"), "Challenge",
          "challenge: field 'dim': expected an integer, got a number with a fraction or exponent"},
      {ChallengeJson.with("iterations", "2.0"), "Challenge", "challenge: field 'iterations': "
          + "expected an integer, got a number with a fraction or exponent"},
      {ChallengeJson.with("dim", "null"), "Challenge",
          "challenge: field 'dim': expected an integer, got null"},
      {ChallengeJson.with("devices", "true"), "Challenge",
          "challenge: field 'devices': expected an integer, got a boolean"},
      {ChallengeJson.with("samples", "[8]"), "Challenge",
          "challenge: field 'samples': expected an integer, got an array"},
      {ChallengeJson.with("model", "5"), "Challenge",
          "challenge: field 'model': expected a string, got an integer"},
      {ChallengeJson.with("model", "{\"name\": \"x\"}"), "Challenge",
          "challenge: field 'model': expected a string, got an object"},
      {c.replaceFirst("\"timing\" : \\{", "\"timing\" : 5, \"t\" : {"), "Commitment",
          "commitment: field 'devices[0].timing': expected an object, got an integer"},
      {c.replaceFirst("\"blocksPerSm\" : \\[ 9", "\"blocksPerSm\" : [ \"9\""), "Commitment",
          "commitment: field 'devices[0].smMonitor.blocksPerSm[0]': expected an integer, "
              + "got a string"},
      {c.replaceFirst("\"blocksPerSm\" : \\[ 9", "\"blocksPerSm\" : [ null"), "Commitment",
          "commitment: field 'devices[0].smMonitor.blocksPerSm[0]': expected an integer, "
              + "got null"},
      {c.replaceFirst("\"busyFraction\" : 0.968", "\"busyFraction\" : \"high\""), "Commitment",
          "commitment: field 'devices[0].smMonitor.busyFraction': expected a number, "
              + "got a string"},
      {c.replaceFirst("\"devices\" : \\[", "\"devices\" : [ [ ], "), "Commitment",
          "commitment: field 'devices[0]': expected an object, got an array"},
      {"[" + ChallengeJson.VALID + "]", "Challenge", "challenge: expected an object, got an array"},
      {"\"a challenge\"", "Challenge", "challenge: expected an object, got a string"},
      {"null", "Challenge", "challenge: expected an object, got null"},
    };
    assertMessages(cases);
  }

  /** InputCoercionException, which databind wraps: the path, and no digits of the bounds. */
  @Test
  void read_numberOutOfRange_saysOutOfRangeNamingTheField() throws IOException {
    String c = MessageWording.exampleText("commitment");
    assertMessages(new String[][] {
      {ChallengeJson.with("dim", "4294967360"), "Challenge",
          "challenge: field 'dim': number out of range"},
      {c.replaceFirst("\"startNanos\" : \\d+", "\"startNanos\" : 99999999999999999999"),
          "Commitment", "commitment: field 'devices[0].timing.startNanos': number out of range"},
    });
  }

  /** Missing fields read the same whether Jackson or the record's constructor noticed. */
  @Test
  void read_missingField_saysFieldIsRequired() throws IOException {
    String c = MessageWording.exampleText("commitment");
    assertMessages(new String[][] {
      {ChallengeJson.without("dim"), "Challenge", "challenge: field 'dim' is required"},
      {ChallengeJson.without("seed"), "Challenge", "challenge: field 'seed' is required"},
      {c.replaceFirst("\"root\" : \"[0-9a-f]+\",", ""), "Commitment",
          "commitment: field 'devices[0].root' is required"},
    });
  }

  @Test
  void read_unknownOrDuplicateField_namesItsPath() throws IOException {
    String c = MessageWording.exampleText("commitment");
    String longName = "n".repeat(100);
    assertMessages(new String[][] {
      {ChallengeJson.VALID.replace("\"dim\"", "\"extra\": 1, \"dim\""), "Challenge",
          "challenge: unknown field 'extra'"},
      {c.replaceFirst("\"smCount\"", "\"firmware\" : \"x\", \"smCount\""), "Commitment",
          "commitment: unknown field 'devices[0].firmware'"},
      {ChallengeJson.VALID.replace("\"dim\"", "\"" + longName + "\": 1, \"dim\""), "Challenge",
          "challenge: unknown field '" + "n".repeat(64) + "...'"},
      {ChallengeJson.VALID.replace("\"dim\"", "\"a\\nb\": 1, \"dim\""), "Challenge",
          "challenge: unknown field 'a\\u000ab'"},
      {ChallengeJson.VALID.replace("\"dim\"", "\"a`b\": 1, \"dim\""), "Challenge",
          "challenge: unknown field 'a\\u0060b'"},
      {ChallengeJson.VALID.replace("\"dim\": 64,", "\"dim\": 64, \"dim\": 128,"), "Challenge",
          "challenge: field 'dim' appears twice"},
    });
  }

  /**
   * JsonParseException: line, column, and the complaint; no token is quoted. Read as a tree,
   * so that no field's type is checked before the syntax.
   */
  @Test
  void read_syntaxError_saysWhereAndWhatWithoutQuotingTheText() {
    String[][] cases = { // JSON, text the message must contain
      {"{\"version\": 1,, \"dim\": 64}", "expected a field name in double quotes, got ','"},
      {"{'dim': 64}", "expected a field name in double quotes, got \"'\""},
      {"{\"dim\" 64}", "expected ':' after the field name, got '6'"},
      {"{\"dim\": 64 \"seed\": 1}", "expected ',' or '}', got '\"'"},
      {"{\"dim\": [1 2]}", "expected ',' or ']', got '2'"},
      {"{\"dim\": secretsecret}", "expected a value"},
      {"{\"dim\": NaN}", "NaN and Infinity are not JSON numbers"},
      {"{\"dim\": 064}", "invalid number: leading zeroes are not allowed"},
      {"{\"dim\": -}", "invalid number"},
      {"{\"model\": \"a\u0001b\"}", "a control character inside a string must be escaped, "
          + "got '\\u0001'"},
      {"{\"model\": \"\\q\"}", "invalid escape sequence in a string"},
      {"{\"dim\": [1}", "unexpected '}'"},
    };
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      String m = refusal(c[0].getBytes(StandardCharsets.UTF_8), JsonNode.class);
      if (!m.startsWith("tree: invalid JSON at line 1 column ") || !m.contains(c[1])
          || m.contains("secret") || MessageWording.problem(m) != null) {
        failures.add(c[0] + " -> " + m);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void read_invalidUtf8_saysNotUtf8() {
    byte[] json = {'{', '"', 'm', '"', ':', '"', (byte) 0xc3, '(', '"', '}'};
    assertEquals("challenge: invalid JSON at line 1 column 9 near field 'm': not valid UTF-8",
        refusal(json, Challenge.class));
  }

  @Test
  void read_truncated_saysTruncatedAndWhere() throws IOException {
    String c = MessageWording.exampleText("commitment");
    String cut = c.substring(0, c.indexOf("\"root\"", c.indexOf("\"index\" : 1")) + 12);
    assertEquals("commitment: truncated JSON: the text ends at line 39 column 17 near field "
        + "'devices[1].root'", refusal(cut.getBytes(StandardCharsets.UTF_8), Commitment.class));
    assertEquals("challenge: truncated JSON: the text ends at line 1 column 13 near field "
        + "'version'", refusal("{\"version\":1".getBytes(StandardCharsets.UTF_8),
            Challenge.class));
  }

  @Test
  void read_trailingData_saysTrailing() {
    String[] tails = {"{}", "x", "1", "\"s\"", "[]"};
    for (String tail : tails) {
      String m = refusal((ChallengeJson.VALID + tail).getBytes(StandardCharsets.UTF_8),
          Challenge.class);
      assertTrue(m.startsWith("challenge: trailing data after the JSON object at line 13 column"),
          tail + " -> " + m);
    }
  }

  /** StreamConstraintsException: Json's own limits, named by their numbers. */
  @Test
  void read_overLimits_saysWhichLimit() {
    String deep = "[".repeat(40) + "]".repeat(40);
    assertEquals("tree: nested deeper than 16 levels",
        refusal(deep.getBytes(StandardCharsets.UTF_8), JsonNode.class));
    assertEquals("challenge: number longer than 32 characters",
        refusal(ChallengeJson.with("dim", "1".repeat(40)).getBytes(StandardCharsets.UTF_8),
            Challenge.class));
    String longModel = ChallengeJson.with("model",
        "\"" + "x".repeat(Limits.MAX_MESSAGE_BYTES + 1) + "\"");
    assertEquals("challenge: field 'model': string longer than " + Limits.MAX_MESSAGE_BYTES
        + " characters", refusal(longModel.getBytes(StandardCharsets.UTF_8), Challenge.class));
    String longName = "{\"" + "n".repeat(60_000) + "\": 1}";
    assertEquals("challenge: field name too long",
        refusal(longName.getBytes(StandardCharsets.UTF_8), Challenge.class));
  }

  @Test
  void read_emptyOrBlank_saysEmpty() {
    for (String text : new String[] {"", " \n\t"}) {
      assertEquals("challenge: input is empty",
          refusal(text.getBytes(StandardCharsets.UTF_8), Challenge.class));
    }
  }

  /** ValueInstantiationException: the record's words, with the path where they need it. */
  @Test
  void read_recordRefusesValue_keepsItsWordsWithThePath() throws IOException {
    String c = MessageWording.exampleText("commitment");
    assertMessages(new String[][] {
      {c.replaceFirst("\"busyFraction\" : 0.968", "\"busyFraction\" : 1.5"), "Commitment",
          "commitment: devices[0].smMonitor.busyFraction must be in [0, 1], got 1.5"},
      {c.replaceFirst("\"kernelNanos\" : \\d+", "\"kernelNanos\" : -1"), "Commitment",
          "commitment: field 'devices[0].timing': timing values must not be negative"},
      {ChallengeJson.with("dim", "100"), "Challenge",
          "challenge: dim must be a multiple of 64, got 100"},
    });
  }

  /** A record may quote a value: a line break in it is escaped, and a long one is cut. */
  @Test
  void read_quotedValueWithLineBreakOrLength_staysOneBoundedLine() throws IOException {
    String c = MessageWording.exampleText("commitment");
    String m = refusal(c.replace("\"backend\" : \"cuda\"", "\"backend\" : \"a\\nb\"")
        .getBytes(StandardCharsets.UTF_8), Commitment.class);
    assertEquals("commitment: devices[0].backend must be 'cuda' or 'cpu', got 'a\\u000ab'", m);
    m = refusal(ChallengeJson.with("issuedAt", "\"" + "y".repeat(500) + "\"")
        .getBytes(StandardCharsets.UTF_8), Challenge.class);
    assertTrue(m.startsWith("challenge: issuedAt is not an ISO-8601 instant: 'yyy"), m);
    assertTrue(m.endsWith("...") && m.length() <= 303, m.length() + ": " + m);
  }

  private static void assertMessages(String[][] cases) {
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      String m;
      try {
        m = refusal(c[0].getBytes(StandardCharsets.UTF_8),
            Class.forName("org.gpuattest.common.message." + c[1]));
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      if (!m.equals(c[2])) {
        failures.add("expected: " + c[2] + "\n     got: " + m);
      }
      String problem = MessageWording.problem(m);
      if (problem != null) {
        failures.add(problem);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /** The message Json.read refuses {@code json} with; the name is the type's, lowercased. */
  private static String refusal(byte[] json, Class<?> type) {
    String what = type == JsonNode.class ? "tree" : type.getSimpleName().toLowerCase();
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> Json.read(what, json, type));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }
}
