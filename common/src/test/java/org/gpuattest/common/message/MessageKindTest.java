package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gpuattest.common.BadMessageException;
import org.junit.jupiter.api.Test;

/**
 * A message of the wrong kind says so (issue 5, item 2): MessageKind tells the kinds apart by
 * their top-level field names, and MessageCodec.decode uses it once the strict read has
 * failed. The sentence names both kinds and nothing from the message itself.
 */
class MessageKindTest {
  private static final String[] FILES = {
    "challenge", "commitment", "opening-request", "openings", "verdict"};
  private static final MessageKind[] KINDS = {
    MessageKind.CHALLENGE, MessageKind.COMMITMENT, MessageKind.OPENING_REQUEST,
    MessageKind.OPENINGS, MessageKind.VERDICT};
  private static final Class<?>[] TYPES = {
    Challenge.class, Commitment.class, OpeningRequest.class, Openings.class, Verdict.class};
  /** Where the validator keeps its secret sampling seed; no refusal may show it. */
  private static final String SECRET = "5ec7e75e".repeat(8);
  private static final String SESSION = "{\n  \"version\" : 1,\n  \"challenge\" : \"eyJ9\",\n"
      + "  \"samplingSeed\" : \"" + SECRET + "\",\n  \"issuedAt\" : \"2026-01-01T00:00:00Z\"\n}";

  @Test
  void decode_eachExampleAsEachOtherKind_namesBothKinds() throws IOException {
    String[] sentences = {
      "this is a challenge", "this is a commitment", "this is an opening request",
      "these are openings", "this is a verdict"};
    String[] names = {"challenge", "commitment", "opening request", "openings", "verdict"};
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < FILES.length; i++) {
      String text = base64(MessageWording.exampleText(FILES[i]));
      for (int j = 0; j < FILES.length; j++) {
        if (i == j) {
          continue;
        }
        String expected = names[j] + ": " + sentences[i] + ", not " + KINDS[j].noun();
        String got = refusal(names[j], text, TYPES[j]);
        if (!got.equals(expected)) {
          failures.add(FILES[i] + " as " + names[j] + ": " + got);
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void decode_sessionGivenAsMessage_saysSessionWithoutTheSeed() {
    String m = refusal("commitment", base64(SESSION), Commitment.class);
    assertEquals("commitment: this is a validator session, not a commitment", m);
    assertFalse(m.contains(SECRET.substring(0, 8)), m);
  }

  /** The names before the break are enough: a cut-off challenge is still a challenge. */
  @Test
  void decode_truncatedMessageOfOtherKind_stillNamesItsKind() {
    String cut = ChallengeJson.VALID.substring(0, ChallengeJson.VALID.indexOf("\"iterations\""));
    assertEquals("commitment: this is a challenge, not a commitment",
        refusal("commitment", base64(cut), Commitment.class));
  }

  /** A damaged message of the expected kind keeps its own, more precise, error. */
  @Test
  void decode_expectedKindWithAnError_keepsTheFieldError() throws IOException {
    String c = MessageWording.exampleText("commitment");
    assertEquals("commitment: unknown field 'extra'", refusal("commitment",
        base64(c.replaceFirst("\\{", "{ \"extra\" : 1,")), Commitment.class));
    String noKey = c.replaceFirst("\"proverPublicKey\" : \"[^\"]*\",", "");
    assertEquals("commitment: field 'proverPublicKey' is required",
        refusal("commitment", base64(noKey), Commitment.class));
  }

  /** Names of two kinds at once: no guess, the strict read's error stands. */
  @Test
  void decode_objectLikeTwoKinds_keepsTheFieldError() {
    String both = ChallengeJson.VALID.replaceFirst("\\{", "{\"proverPublicKey\": \"k\",");
    assertEquals(Optional.empty(), MessageKind.recognise(both.getBytes(StandardCharsets.UTF_8)));
    assertEquals("opening request: field 'samples': expected an array, got an integer",
        refusal("opening request", base64(both), OpeningRequest.class));
  }

  @Test
  void recognise_eachExampleAndSession_givesItsKind() throws IOException {
    for (int i = 0; i < FILES.length; i++) {
      assertEquals(Optional.of(KINDS[i]), MessageKind.recognise(MessageWording.example(FILES[i])),
          FILES[i]);
    }
    assertEquals(Optional.of(MessageKind.SESSION),
        MessageKind.recognise(SESSION.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void recognise_notAnObjectOrNoKindsNames_isEmpty() {
    for (String json : new String[] {"[1]", "{}", "{\"seed\": 1}", "not json", "", "\"id\""}) {
      assertEquals(Optional.empty(),
          MessageKind.recognise(json.getBytes(StandardCharsets.UTF_8)), json);
    }
  }

  /** An opening request is told from openings only by the absence of "openings". */
  @Test
  void matches_requestNamesPlusOpenings_isOpeningsNotRequest() {
    Set<String> names = Set.of("version", "commitmentDigest", "samples", "openings");
    assertFalse(MessageKind.OPENING_REQUEST.matches(names));
    assertTrue(MessageKind.OPENINGS.matches(names));
  }

  @Test
  void of_eachRecordType_givesItsKindAndNothingElse() {
    for (int i = 0; i < TYPES.length; i++) {
      assertEquals(Optional.of(KINDS[i]), MessageKind.of(TYPES[i]));
    }
    assertEquals(Optional.empty(), MessageKind.of(String.class));
    assertEquals(Optional.empty(), MessageKind.of(DeviceReport.class));
  }

  private static String base64(String json) {
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String refusal(String what, String text, Class<?> type) {
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageCodec.decode(what, text, type));
    assertNull(MessageWording.problem(e.getMessage()));
    return e.getMessage();
  }
}
