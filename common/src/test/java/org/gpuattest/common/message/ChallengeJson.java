package org.gpuattest.common.message;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A valid version-1 challenge as JSON text, and small edits of it for the strictness tests. */
final class ChallengeJson {
  static final String VALID = "{\n"
      + "  \"version\": 1,\n"
      + "  \"id\": \"000102030405060708090a0b0c0d0e0f\",\n"
      + "  \"seed\": \"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\",\n"
      + "  \"dim\": 64,\n"
      + "  \"iterations\": 2,\n"
      + "  \"devices\": 1,\n"
      + "  \"model\": \"NVIDIA H100 80GB HBM3\",\n"
      + "  \"issuedAt\": \"2026-01-01T00:00:00Z\",\n"
      + "  \"expiresAt\": \"2026-01-01T00:05:00Z\",\n"
      + "  \"samples\": 8\n"
      + "}\n";

  private ChallengeJson() {}

  /** VALID with the line of {@code field} replaced by {@code "field": rawValue}. */
  static String with(String field, String rawValue) {
    return VALID.replaceFirst("\"" + field + "\": [^\\n]*?(,?)\\n",
        "\"" + field + "\": " + java.util.regex.Matcher.quoteReplacement(rawValue) + "$1\n");
  }

  /** VALID without the line of {@code field}; the last field keeps valid commas. */
  static String without(String field) {
    String text = VALID.replaceFirst("  \"" + field + "\": [^\\n]*\\n", "");
    return text.replace(",\n}", "\n}");
  }

  static String base64(String json) {
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
