package org.gpuattest.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Printable.escape leaves ordinary text alone and writes every character that could end a
 * line, drive a terminal or reorder text as a visible backslash escape.
 */
class PrintableTest {
  @Test
  void escape_plainTextOfAnyScript_isUnchanged() {
    String s = "NVIDIA H100 80GB HBM3 \u00e9\u00df \u4e2d\u6587 \ud83d\ude80 ~!@#$%^&*()";
    assertSame(s, Printable.escape(s));
  }

  @Test
  void escape_newlineAndCarriageReturn_becomeUnicodeEscapes() {
    assertEquals("a\\u000averdict: PASS\\u000d",
        Printable.escape("a\nverdict: PASS\r"));
  }

  @Test
  void escape_ansiEraseLine_hasNoEscapeCharacterLeft() {
    assertEquals("\\u001b[2K\\u001b[1A", Printable.escape("\u001b[2K\u001b[1A"));
  }

  @Test
  void escape_everyC0DelAndC1Control_isEscaped() {
    List<String> missed = new ArrayList<>();
    for (char c = 0; c <= 0x9f; c++) {
      if (c >= 0x20 && c < 0x7f) {
        continue;
      }
      String want = String.format("\\u%04x", (int) c);
      if (!Printable.escape(String.valueOf(c)).equals(want)) {
        missed.add(Integer.toHexString(c));
      }
    }
    assertEquals(List.of(), missed);
    assertEquals("\\u0085", Printable.escape("\u0085"), "NEL");
  }

  @Test
  void escape_lineSeparatorsAndBidiControls_areEscaped() {
    String in = "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        + "\u200e\u200f\u061c";
    String out = Printable.escape(in);
    assertEquals("\\u2028\\u2029\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068"
        + "\\u2069\\u200e\\u200f\\u061c", out);
  }

  @Test
  void escape_backslash_isDoubledSoAnEscapedNewlineStaysDistinguishable() {
    assertEquals("C:\\\\dir", Printable.escape("C:\\dir"));
    String literal = "\\u000a"; // six characters, no newline
    assertEquals("\\\\u000a", Printable.escape(literal));
    assertNotEquals(Printable.escape(literal), Printable.escape("\n"));
  }

  @Test
  void escape_unpairedSurrogates_areEscapedAndPairsKept() {
    assertEquals("x\\ud83dy", Printable.escape("x\ud83dy"));
    assertEquals("\\ude80", Printable.escape("\ude80"));
    assertEquals("\\ud83d\ud83d\ude80", Printable.escape("\ud83d\ud83d\ude80"));
  }

  @Test
  void escape_anyText_resultHasOnlyPrintableCharacters() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x3000; c++) {
      all.append(c);
    }
    String out = Printable.escape(all.toString());
    for (int i = 0; i < out.length(); i++) {
      char c = out.charAt(i);
      int at = i;
      assertTrue(c >= 0x20 && (c < 0x7f || c > 0x9f) && c != '\u2028' && c != '\u2029'
          && !(c >= '\u202a' && c <= '\u202e') && !(c >= '\u2066' && c <= '\u2069'),
          () -> "U+" + Integer.toHexString(c) + " at " + at);
    }
  }

  @Test
  void escape_null_readsNull() {
    assertEquals("null", Printable.escape(null));
  }
}
