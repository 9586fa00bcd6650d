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
 * throws BadMessageException with one line in the project's words (MessageWording: no Java
 * types, Jackson tokens or source locations). Anything else (another exception, a multi-line
 * message, a leaked internal) is a failure, collected over all mutations. Mutated messages are
 * also read as the other kinds, and the base64 text itself is mutated.
 */
class MessageFuzzTest {
  private static final int MUTATIONS = 3000;
  private static final String[] TOKENS = {
    "null", "true", "-1", "0", "1e308", "1.5", "\"\"", "{}", "[]", "\"x\"", "9223372036854775808",
    "\"version\"", ",", ":", "{", "}", "[", "]", "\"\\u0000\"", "65", "16448", "\"ff\""};
  private static final String[] TEXT_TOKENS = {
    "\n", "\r\n", " ", "\t", "=", "==", "-", "_", "*", "{", "[", "-----BEGIN PUBLIC KEY-----\n",
    "{\"version\": 1}", "\u0000", "\u0007", "\u00e9", "\u2028", "\ufeff", "\ud83d\ude00"};
  private static final Class<?>[] TYPES = {
    Challenge.class, Commitment.class, OpeningRequest.class, Openings.class, Verdict.class};

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
        String problem = MessageWording.problem(e.getMessage());
        if (problem != null) {
          failures.add("mutation " + i + ": " + problem);
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
   * The same mutations read as every other kind: always refused, always one clean line, and
   * ending in "this is X, not Y" or a field error, never Jackson's words.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"challenge.json", "commitment.json", "opening-request.json", "openings.json",
      "verdict.json"})
  void decode_mutatedExampleAsOtherKind_refusedWithOneCleanLine(String file) throws Exception {
    byte[] original = Files.readAllBytes(Path.of("..", "testdata", "examples", file));
    SplittableRandom random = new SplittableRandom(~file.hashCode());
    List<String> failures = new ArrayList<>();
    MessageKind own = MessageKind.recognise(original).orElseThrow();
    int named = 0;
    for (int i = 0; i < MUTATIONS / 3; i++) {
      String text = Base64.getEncoder().encodeToString(mutate(original, random));
      for (Class<?> other : TYPES) {
        if (MessageKind.of(other).orElseThrow() == own) {
          continue; // covered by the test above
        }
        try {
          MessageCodec.decode("fuzz", text, other);
          failures.add("mutation " + i + " accepted as " + other.getSimpleName());
        } catch (BadMessageException e) {
          String problem = MessageWording.problem(e.getMessage());
          if (problem != null) {
            failures.add("mutation " + i + " as " + other.getSimpleName() + ": " + problem);
          }
          named += e.getMessage().contains(", not ") ? 1 : 0;
        } catch (RuntimeException e) {
          failures.add("mutation " + i + " as " + other.getSimpleName() + " threw " + e);
        }
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures, first: "
        + (failures.isEmpty() ? "" : failures.get(0)));
    assertTrue(named > 0, "most mutations keep the kind's names: some must be named");
  }

  /**
   * Mutations of the base64 text itself (stray characters, JSON, PEM armour, cuts, line
   * breaks): decoded, or refused with one clean line that quotes no run of the text.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"challenge.json", "commitment.json", "verdict.json"})
  void decode_mutatedBase64Text_oneCleanLineQuotingNoRunOfIt(String file) throws Exception {
    Class<?> cls = TYPES[List.of("challenge.json", "commitment.json", "opening-request.json",
        "openings.json", "verdict.json").indexOf(file)];
    String original = Base64.getEncoder().encodeToString(
        Files.readAllBytes(Path.of("..", "testdata", "examples", file)));
    SplittableRandom random = new SplittableRandom(file.hashCode() * 31L);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < MUTATIONS; i++) {
      StringBuilder sb = new StringBuilder(original);
      for (int k = 1 + random.nextInt(3); k > 0; k--) {
        int at = random.nextInt(sb.length() + 1);
        switch (random.nextInt(4)) {
          case 0 -> sb.insert(at, TEXT_TOKENS[random.nextInt(TEXT_TOKENS.length)]);
          case 1 -> sb.insert(at, (char) random.nextInt(0x3000));
          case 2 -> sb.setLength(at);
          default -> sb.delete(at, Math.min(sb.length(), at + 1 + random.nextInt(8)));
        }
      }
      String text = sb.toString();
      try {
        MessageCodec.decode("fuzz", text, cls);
      } catch (BadMessageException e) {
        String m = e.getMessage();
        String problem = MessageWording.problem(m);
        if (problem != null) {
          failures.add("mutation " + i + ": " + problem);
        }
        for (int j = 0; j + 6 <= text.length(); j++) {
          if (m.contains(text.substring(j, j + 6))) {
            failures.add("mutation " + i + " quotes '" + text.substring(j, j + 6) + "': " + m);
            break;
          }
        }
      } catch (RuntimeException e) {
        failures.add("mutation " + i + " threw " + e);
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures, first: "
        + (failures.isEmpty() ? "" : failures.get(0)));
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
