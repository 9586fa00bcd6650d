package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The wire form (MessageCodec): base64 of UTF-8 JSON, either alphabet, padding optional,
 * whitespace ignored; size checked on the text first; the exact decoded bytes kept for the
 * challenge digest.
 */
class MessageCodecTest {
  /** A challenge whose base64 has '+', '/' and padding, so the alphabets really differ. */
  private static final String JSON = ChallengeJson.with("model", "\"GPU ~~~>>>???\"");
  private static final byte[] BYTES = JSON.getBytes(StandardCharsets.UTF_8);
  private static final String STANDARD = Base64.getEncoder().encodeToString(BYTES);

  @Test
  void fixture_base64_usesBothSpecialCharactersAndPadding() {
    assertTrue(STANDARD.contains("+") && STANDARD.contains("/") && STANDARD.endsWith("="),
        STANDARD);
  }

  @Test
  void decode_everyAcceptedSpelling_givesTheSameChallengeAndExactBytes() {
    String urlSafe = Base64.getUrlEncoder().encodeToString(BYTES);
    String unpadded = Base64.getEncoder().withoutPadding().encodeToString(BYTES);
    String urlUnpadded = Base64.getUrlEncoder().withoutPadding().encodeToString(BYTES);
    String mime = Base64.getMimeEncoder().encodeToString(BYTES); // CRLF every 76 chars
    String[][] spellings = {
      {"standard padded", STANDARD},
      {"url-safe padded", urlSafe},
      {"standard unpadded", unpadded},
      {"url-safe unpadded", urlUnpadded},
      {"surrounding whitespace", "  \n\t" + STANDARD + "\r\n  "},
      {"MIME line breaks", mime},
      {"newline every 60 chars", wrap(STANDARD, 60, "\n")},
      {"spaces inside", STANDARD.substring(0, 10) + " " + STANDARD.substring(10)},
    };
    List<String> failures = new ArrayList<>();
    for (String[] s : spellings) {
      try {
        MessageCodec.Decoded<Challenge> d = MessageCodec.decode("challenge", s[1],
            Challenge.class);
        if (!java.util.Arrays.equals(BYTES, d.bytes())) {
          failures.add(s[0] + ": decoded bytes differ");
        }
        if (!d.value().model().equals("GPU ~~~>>>???")) {
          failures.add(s[0] + ": model " + d.value().model());
        }
      } catch (BadMessageException e) {
        failures.add(s[0] + ": " + e.getMessage());
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void encode_anyMessage_isStandardPaddedOneLineThatDecodesBack() throws BadMessageException {
    Challenge c = MessageCodec.decode("challenge", STANDARD, Challenge.class).value();
    String text = MessageCodec.encode(c);
    assertFalse(text.contains("\n") || text.contains("-") || text.contains("_"), text);
    assertEquals(0, text.length() % 4);
    assertEquals(c, MessageCodec.decode("challenge", text, Challenge.class).value());
  }

  @Test
  void decoded_bytes_areCopiedInAndOut() throws BadMessageException {
    MessageCodec.Decoded<Challenge> d = MessageCodec.decode("challenge", STANDARD,
        Challenge.class);
    byte[] out = d.bytes();
    out[0] = 'X';
    assertArrayEquals(BYTES, d.bytes());
  }

  @Test
  void decode_nonBase64Characters_throwsNamingCharacterAndPosition() {
    String[][] cases = {
      {"asterisk", STANDARD.substring(0, 8) + "*" + STANDARD.substring(8), "'*' at position 8"},
      {"dot", "." + STANDARD, "'.' at position 0"},
      {"non-ASCII", STANDARD.substring(0, 4) + "\u00e9" + STANDARD.substring(4), "\\u00e9"},
      {"control character", STANDARD.substring(0, 4) + "\u0007" + STANDARD.substring(4),
          "\\u0007"},
      {"delete", STANDARD.substring(0, 4) + "\u007f" + STANDARD.substring(4), "\\u007f"},
      {"backtick", STANDARD.substring(0, 4) + "`" + STANDARD.substring(4), "\\u0060"},
      {"JSON after base64", STANDARD.substring(0, 4) + "{\"seed\": 1}", "'{' at position 4"},
    };
    for (String[] c : cases) {
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> MessageCodec.decode("challenge", c[1], Challenge.class), c[0]);
      assertTrue(e.getMessage().startsWith("challenge: not base64"), c[0] + ": " + e.getMessage());
      assertTrue(e.getMessage().contains(c[2]), c[0] + ": " + e.getMessage());
      assertFalse(e.getMessage().contains("\n"), c[0]);
    }
  }

  /** The decoder's own message quotes offsets; ours says what is wrong and nothing more. */
  @Test
  void decode_badPaddingOrLength_throwsWrongLengthOrPadding() {
    for (String text : new String[] {"e", "eyJ=a", "eyJhIjox=fQ==", "eyJh===="}) {
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> MessageCodec.decode("challenge", text, Challenge.class), text);
      assertEquals("challenge: not base64: wrong length or padding", e.getMessage());
    }
  }

  @Test
  void decode_emptyOrWhitespaceOnlyOrNull_throwsIsEmpty() {
    for (String text : new String[] {"", " ", "\n\r\t ", "\r\n\r\n", null}) {
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> MessageCodec.decode("challenge", text, Challenge.class));
      assertEquals("challenge: input is empty", e.getMessage());
    }
  }

  /** A run of spaces costs one byte a character; the text is refused before any decoding. */
  @Test
  void decode_textLongerThanMaxTextChars_throwsSizeLimitFirst() {
    String huge = " ".repeat(MessageCodec.MAX_TEXT_CHARS + 1);
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageCodec.decode("challenge", huge, Challenge.class));
    assertEquals("challenge: larger than the " + Limits.MAX_MESSAGE_BYTES
        + "-byte message limit", e.getMessage());
  }

  /** Under the text limit but decoding past MAX_MESSAGE_BYTES: refused by the second check. */
  @Test
  void decode_compactTextOverByteLimit_throwsSizeLimit() {
    int chars = (Limits.MAX_MESSAGE_BYTES / 3 + 4) * 4;
    assertTrue(chars <= MessageCodec.MAX_TEXT_CHARS);
    String text = "e" + "A".repeat(chars - 1);
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageCodec.decode("challenge", text, Challenge.class));
    assertTrue(e.getMessage().contains("message limit"), e.getMessage());
  }

  @Test
  void decode_base64OfNonJson_throwsNotAJsonObject() {
    // Leading JSON whitespace is allowed (see the test below); a BOM is not whitespace.
    for (String plain : new String[] {"hello world", "[1,2,3]", " [", "\u00ef\u00bb\u00bf{}"}) {
      String text = Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> MessageCodec.decode("challenge", text, Challenge.class), plain);
      assertEquals("challenge: base64 does not hold a JSON object", e.getMessage());
    }
  }

  /** The parser would detect UTF-16 and UTF-32 by themselves; the wire format is UTF-8. */
  @Test
  void decode_utf16OrUtf32Json_refused() throws Exception {
    String json = new String(Files.readAllBytes(Path.of("../testdata/examples/challenge.json")),
        StandardCharsets.UTF_8);
    for (java.nio.charset.Charset cs : new java.nio.charset.Charset[] {
        StandardCharsets.UTF_16LE, java.nio.charset.Charset.forName("UTF-32LE")}) {
      String text = Base64.getEncoder().encodeToString(json.getBytes(cs));
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> MessageCodec.decode("challenge", text, Challenge.class), cs.name());
      assertTrue(e.getMessage().contains("does not hold UTF-8 JSON"), e.getMessage());
    }
  }

  @Test
  void decode_base64OfBrokenJsonObject_throwsOneLineFromJson() {
    String text = ChallengeJson.base64("{\"version\": 1,");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageCodec.decode("challenge", text, Challenge.class));
    assertTrue(e.getMessage().startsWith("challenge: "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  /** A session file holds the validator's secret sampling seed; no refusal may show it. */
  private static final String SECRET = "5ec7e75e".repeat(8);
  private static final String SESSION_JSON = "{\n  \"version\" : 1,\n  \"challenge\" : \"eyJ9\",\n"
      + "  \"samplingSeed\" : \"" + SECRET + "\",\n  \"issuedAt\" : \"2026-01-01T00:00:00Z\"\n}\n";
  private static final String JSON_GIVEN = ": this is JSON, not base64; messages travel as "
      + "base64 of the JSON (for a file: base64 -w0 FILE)";

  @Test
  void decode_jsonInsteadOfBase64_saysSoWithoutQuotingIt() throws Exception {
    String[][] cases = {
      {"challenge", MessageWording.exampleText("challenge")},
      {"commitment", MessageWording.exampleText("commitment")},
      {"session as commitment", SESSION_JSON},
      {"leading whitespace", "\r\n  \t" + JSON},
      {"byte order mark", "\ufeff" + JSON},
      {"array", "[1, 2, 3]"},
    };
    for (String[] c : cases) {
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> MessageCodec.decode("commitment", c[1], Commitment.class), c[0]);
      assertEquals("commitment" + JSON_GIVEN, e.getMessage(), c[0]);
    }
  }

  @Test
  void decode_pemKeyInsteadOfMessage_saysPem() {
    Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(new byte[32]);
    for (String pem : new String[] {key.toPem(), "\n" + key.publicKey().toPem()}) {
      BadMessageException e = assertThrows(BadMessageException.class,
          () -> MessageCodec.decode("challenge", pem, Challenge.class));
      assertEquals("challenge: this is a PEM key, not a message", e.getMessage());
    }
  }

  /**
   * Whatever the text, a refusal quotes at most one character of it: no four characters of a
   * secret value it holds appear in the message, however the text is broken. (Field names are
   * quoted on purpose: "unknown field 'extra'".)
   */
  @Test
  void decode_textHoldingASecret_refusalQuotesNoneOfIt() {
    String[] texts = {
      SESSION_JSON,
      "samplingSeed: " + SECRET,
      SECRET + "!" + SECRET,
      "x" + SECRET,
      SECRET.substring(0, 63),
      "-----BEGIN PRIVATE KEY-----\n" + SECRET + "\n-----END PRIVATE KEY-----\n",
      ChallengeJson.base64(ChallengeJson.with("seed", "\"" + SECRET + "0\"")),
      ChallengeJson.base64(ChallengeJson.with("seed", "\"" + SECRET.replace('e', 'z') + "\"")),
      ChallengeJson.base64(ChallengeJson.with("seed", "[\"" + SECRET + "\"]")),
      ChallengeJson.base64("{\"seed\": \"" + SECRET),
      ChallengeJson.base64("{\"seed\": " + SECRET + "}"),
    };
    List<String> failures = new ArrayList<>();
    for (String text : texts) {
      try {
        MessageCodec.decode("challenge", text, Challenge.class);
        failures.add("accepted: " + text);
      } catch (BadMessageException e) {
        String m = e.getMessage();
        for (int i = 0; i + 4 <= SECRET.length(); i++) {
          if (m.contains(SECRET.substring(i, i + 4))) {
            failures.add("quotes the secret: " + m);
            break;
          }
        }
        if (MessageWording.problem(m) != null) {
          failures.add(MessageWording.problem(m));
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /**
   * What users paste: base64(1) from coreutils wraps at 76 columns and ends with a newline, the
   * MIME encoder wraps at 76 with CRLF, and Windows tools turn every line end into CRLF. Each
   * message kind decodes from each to exactly the bytes that were encoded.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "challenge, org.gpuattest.common.message.Challenge",
    "commitment, org.gpuattest.common.message.Commitment",
    "opening-request, org.gpuattest.common.message.OpeningRequest",
    "openings, org.gpuattest.common.message.Openings",
    "verdict, org.gpuattest.common.message.Verdict"})
  void decode_base64WrappedAt76_eachKindDecodesToTheSameBytes(String file, String type)
      throws Exception {
    Class<?> cls = Class.forName(type);
    byte[] json = MessageWording.example(file);
    String compact = Base64.getEncoder().encodeToString(json);
    assertTrue(compact.length() > 76, "the example must need more than one line");
    String expected = Json.writeString(MessageCodec.decode(file, compact, cls).value());
    String mime = Base64.getMimeEncoder().encodeToString(json);
    String[][] spellings = {
      {"base64(1): LF every 76 and at the end", wrap(compact, 76, "\n")},
      {"CRLF every 76 and at the end", wrap(compact, 76, "\r\n")},
      {"MIME encoder", mime},
      {"MIME encoder, trailing CRLF", mime + "\r\n"},
      {"url-safe, LF every 76", wrap(Base64.getUrlEncoder().encodeToString(json), 76, "\n")},
    };
    List<String> failures = new ArrayList<>();
    for (String[] s : spellings) {
      if (!s[1].contains("\n") || s[1].lines().anyMatch(line -> line.length() > 76)) {
        failures.add(s[0] + ": fixture is not wrapped at 76");
        continue;
      }
      try {
        MessageCodec.Decoded<?> d = MessageCodec.decode(file, s[1], cls);
        if (!java.util.Arrays.equals(json, d.bytes())) {
          failures.add(s[0] + ": decoded bytes differ");
        } else if (!Json.writeString(d.value()).equals(expected)) {
          failures.add(s[0] + ": decoded message differs");
        }
      } catch (BadMessageException e) {
        failures.add(s[0] + ": " + e.getMessage());
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  private static String wrap(String s, int width, String sep) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i += width) {
      sb.append(s, i, Math.min(s.length(), i + width)).append(sep);
    }
    return sb.toString();
  }

  /** JSON may begin with whitespace; the exact bytes, whitespace included, are kept. */
  @Test
  void decode_jsonWithLeadingWhitespace_acceptedAndBytesKept() throws BadMessageException {
    byte[] padded = ("\n\t " + JSON).getBytes(StandardCharsets.UTF_8);
    MessageCodec.Decoded<Challenge> d = MessageCodec.decode("challenge",
        Base64.getEncoder().encodeToString(padded), Challenge.class);
    org.junit.jupiter.api.Assertions.assertArrayEquals(padded, d.bytes());
  }
}
