package org.gpuattest.common.util;

import java.util.HexFormat;

/** Lowercase hexadecimal, the encoding of every digest and root in the messages. */
public final class Hex {
  private static final HexFormat LOWER = HexFormat.of();

  private Hex() {}

  public static String encode(byte[] bytes) {
    return LOWER.formatHex(bytes);
  }

  /**
   * Decodes exactly {@code length} bytes of lowercase or uppercase hex.
   *
   * @throws IllegalArgumentException naming {@code field} when the text is not that
   */
  public static byte[] decode(String field, String hex, int length) {
    if (hex == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    if (hex.length() != 2 * length) {
      throw new IllegalArgumentException(
          field + " must be " + (2 * length) + " hex digits, got " + hex.length());
    }
    try {
      return LOWER.parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not hexadecimal");
    }
  }

  /** Parses one 32-bit word written in hex (at most 8 digits, optional 0x). */
  public static int parseWord(String field, String text) {
    String t = text.trim();
    if (t.startsWith("0x") || t.startsWith("0X")) {
      t = t.substring(2);
    }
    if (t.isEmpty() || t.length() > 8) {
      throw new IllegalArgumentException(field + " must be 1 to 8 hex digits, got '" + text + "'");
    }
    try {
      return Integer.parseUnsignedInt(t, 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " is not hexadecimal: '" + text + "'");
    }
  }

  public static String word(int w) {
    return String.format("%08x", w);
  }
}
