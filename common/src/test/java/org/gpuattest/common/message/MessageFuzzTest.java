package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.gpuattest.common.BadMessageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mutation fuzzing of every message parser against the simplest model of correct behaviour
 * (Caffeine's FrequencySketchFuzzer style, here seeded and bounded so it runs as a unit test):
 * whatever the bytes, decoding either yields a record that passed its own validation, or
 * throws BadMessageException with one line. Anything else (another exception, a multi-line
 * message) is a failure, collected over all mutations.
 */
class MessageFuzzTest {
  private static final int MUTATIONS = 3000;
  private static final String[] TOKENS = {
    "null", "true", "-1", "0", "1e308", "1.5", "\"\"", "{}", "[]", "\"x\"", "9223372036854775808",
    "\"version\"", ",", ":", "{", "}", "[", "]", "\"\\u0000\"", "65", "16448", "\"ff\""};

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "challenge.json, org.gpuattest.common.message.Challenge",
    "commitment.json, org.gpuattest.common.message.Commitment",
    "opening-request.json, org.gpuattest.common.message.OpeningRequest",
    "openings.json, org.gpuattest.common.message.Openings",
    "verdict.json, org.gpuattest.common.message.Verdict"})
  void decode_mutatedExample_recordOrOneLineBadMessage(String file, String type)
      throws Exception {
    Class<?> cls = Class.forName(type);
    byte[] original = Files.readAllBytes(Path.of("..", "testdata", "examples", file));
    SplittableRandom random = new SplittableRandom(file.hashCode());
    List<String> failures = new ArrayList<>();
    int accepted = 0;
    for (int i = 0; i < MUTATIONS; i++) {
      byte[] mutated = mutate(original, random);
      String text = Base64.getEncoder().encodeToString(mutated);
      try {
        Object value = MessageCodec.decode("fuzz", text, cls).value();
        exercise(value, cls);
        accepted++;
      } catch (BadMessageException e) {
        if (e.getMessage() == null || e.getMessage().contains("\n")) {
          failures.add("multi-line message for mutation " + i + ": " + e.getMessage());
        }
      } catch (RuntimeException e) {
        failures.add("mutation " + i + " threw " + e + " on: "
            + new String(mutated, StandardCharsets.UTF_8).substring(0,
                Math.min(200, mutated.length)));
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures, first: "
        + (failures.isEmpty() ? "" : failures.get(0)));
    assertTrue(accepted < MUTATIONS, "some mutation must be refused: the fuzzer mutates");
  }

  /**
   * What a verifier does with an accepted message must work too: it round-trips through the
   * codec, and its signing bytes and digests can be computed (no field left null).
   */
  private static void exercise(Object value, Class<?> cls) throws BadMessageException {
    Object again = MessageCodec.decode("round trip", MessageCodec.encode(value), cls).value();
    if (!again.equals(value) && !(value instanceof Commitment)) {
      throw new IllegalStateException("round trip changed the message");
    }
    if (value instanceof Challenge c) {
      c.signingBytes();
      c.philoxKey();
      c.totalRows();
    } else if (value instanceof Commitment c) {
      c.signingBytes();
      c.recomputedDigest();
    } else if (value instanceof Openings o) {
      o.openings().forEach(x -> Opening.decodePath(x.rowPath()));
    }
  }

  /** Where the JSON value starting at {@code from} ends: brackets matched, strings skipped. */
  private static int valueEnd(String s, int from) {
    int depth = 0;
    boolean inString = false;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (depth == 0) {
          return i;
        }
        depth--;
      } else if (c == ',' && depth == 0) {
        return i;
      }
    }
    return s.length();
  }

  private static byte[] mutate(byte[] in, SplittableRandom r) {
    String s = new String(in, StandardCharsets.UTF_8);
    int rounds = 1 + r.nextInt(3);
    for (int k = 0; k < rounds; k++) {
      int at = r.nextInt(s.length() + 1);
      switch (r.nextInt(6)) {
        case 0 -> s = s.substring(0, at); // truncate
        case 1 -> { // delete a span
          int end = Math.min(s.length(), at + 1 + r.nextInt(12));
          s = at < s.length() ? s.substring(0, at) + s.substring(end) : s;
        }
        case 2 -> s = s.substring(0, at) + TOKENS[r.nextInt(TOKENS.length)] + s.substring(at);
        case 3 -> { // flip one byte
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          if (b.length > 0) {
            int i = r.nextInt(b.length);
            b[i] = (byte) (b[i] ^ (1 << r.nextInt(8)));
          }
          s = new String(b, StandardCharsets.UTF_8);
        }
        case 4 -> { // replace a whole value (nested objects included) with a token
          int colon = s.indexOf(':', at);
          if (colon > 0) {
            int end = valueEnd(s, colon + 1);
            s = s.substring(0, colon + 1) + TOKENS[r.nextInt(TOKENS.length)] + s.substring(end);
          }
        }
        default -> { // delete a whole field, "key": value
          int colon = s.indexOf(':', at);
          int keyStart = colon > 0 ? s.lastIndexOf('"', s.lastIndexOf('"', colon - 1) - 1) : -1;
          if (keyStart > 0) {
            int end = valueEnd(s, colon + 1);
            if (end < s.length() && s.charAt(end) == ',') {
              end++;
            }
            s = s.substring(0, keyStart) + s.substring(end);
          }
        }
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
