package org.gpuattest.common.util;

/**
 * Text from an untrusted party made safe to print inside one line of a terminal or a log:
 * nothing in the result can end the line, move the cursor, recolour or clear the screen, or
 * reorder what is displayed around it. Without this a prover could put a carriage return and
 * "verdict: PASS" into a device name and print a verdict line the validator never wrote
 * (Trojan Source, CVE-2021-42574, is the same trick with bidi controls).
 *
 * <p>{@link #escape} writes each of these characters as {@code \}{@code uXXXX} (four
 * lower-case hex digits of the UTF-16 unit):
 *
 * <ul>
 *   <li>C0 controls U+0000..U+001F (newline, carriage return, escape, ...), DEL U+007F and the
 *       C1 controls U+0080..U+009F (U+0085 NEL ends a line for some readers; U+009B is a
 *       one-character CSI);
 *   <li>the line and paragraph separators U+2028 and U+2029;
 *   <li>the bidi controls of Unicode Standard Annex #9: the embeddings and overrides
 *       U+202A..U+202E, the isolates U+2066..U+2069, and the marks U+200E, U+200F and U+061C;
 *   <li>a surrogate without its pair, which no encoder can write as itself.
 * </ul>
 *
 * <p>A backslash is written as two backslashes, so the escape of a text that already contained
 * {@code \}{@code u000a} differs from the escape of a newline, and {@code escape} is
 * injective: different texts never print the same. Everything else passes unchanged,
 * letters of any script included.
 */
public final class Printable {
  private Printable() {}

  /**
   * {@code s} with every character listed in the class comment escaped; {@code "null"} for
   * null, as string concatenation would print it.
   */
  public static String escape(String s) {
    if (s == null) {
      return "null";
    }
    int first = firstToEscape(s);
    if (first < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, first);
    for (int i = first; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        sb.append("\\\\");
      } else if (needsEscape(s, i)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static int firstToEscape(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\' || needsEscape(s, i)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean needsEscape(String s, int i) {
    char c = s.charAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return true;
    }
    if (c == '\u2028' || c == '\u2029') {
      return true;
    }
    if ((c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
        || c == '\u200e' || c == '\u200f' || c == '\u061c') {
      return true;
    }
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return false;
  }
}
