package org.gpuattest.common.message;

import java.util.Base64;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;

/**
 * The wire form of every message: base64 of UTF-8 JSON. Decoding accepts the standard and the
 * URL-safe alphabets, with or without padding, and ignores whitespace anywhere (so wrapped
 * output of base64(1), CRLF line ends included, works); encoding writes standard base64 with
 * padding on one line. The size is checked on the text, before anything is decoded. Every
 * refusal is one BadMessageException line that starts with the caller's name for the message
 * and says what the text is when it is not a message of the expected kind (JSON rather than
 * base64, a PEM key, a challenge where a commitment belongs).
 */
public final class MessageCodec {
  /** Base64 text of the largest message, plus room for line breaks. */
  public static final int MAX_TEXT_CHARS = (Limits.MAX_MESSAGE_BYTES / 3 + 1) * 4 * 2;

  private MessageCodec() {}

  /** A message and the exact bytes it was decoded from (the challenge digest needs them). */
  public record Decoded<T>(T value, byte[] bytes) {
    public Decoded {
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }
  }

  /**
   * Decodes and strictly reads one message. A refusal is one line starting with {@code what};
   * a message of another kind (a challenge where a commitment belongs) is named as such.
   */
  public static <T> Decoded<T> decode(String what, String text, Class<T> type)
      throws BadMessageException {
    byte[] bytes = base64(what, text);
    try {
      return new Decoded<>(Json.read(what, bytes, type), bytes);
    } catch (BadMessageException e) {
      // Asked only now, so a well-formed message is read once; a kind is told by field names.
      Optional<String> wrongKind = MessageKind.of(type).flatMap(k -> k.wrongKind(bytes));
      if (wrongKind.isPresent()) {
        throw new BadMessageException(what + ": " + wrongKind.get());
      }
      throw e;
    }
  }

  public static String encode(Object message) {
    return Base64.getEncoder().encodeToString(Json.write(message));
  }

  /**
   * Decodes either alphabet, padded or not, whitespace ignored; refuses oversized text first.
   * Text that is plainly not base64 (JSON, a PEM key) is named for what it is. No refusal
   * quotes more than one character of the text, and that one escaped unless printable ASCII:
   * the text may be a file holding a secret (the validator's session, a private key).
   */
  public static byte[] base64(String what, String text) throws BadMessageException {
    if (text == null) {
      throw new BadMessageException(what + ": input is empty");
    }
    if (text.length() > MAX_TEXT_CHARS) {
      throw new BadMessageException(
          what + ": larger than the " + Limits.MAX_MESSAGE_BYTES + "-byte message limit");
    }
    refuseOtherFormats(what, text);
    // One pass into bytes (no StringBuilder, no String copy): an openings message is about a
    // megabyte, and this decoding is on 'validator serve''s warm verification path.
    byte[] chars = new byte[text.length()];
    int length = 0;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9'
          || ch == '+' || ch == '/' || ch == '=') {
        chars[length++] = (byte) ch;
      } else if (ch == '-') {
        chars[length++] = '+';
      } else if (ch == '_') {
        chars[length++] = '/';
      } else if (!Character.isWhitespace(ch)) {
        throw new BadMessageException(
            what + ": not base64: character '" + printable(ch) + "' at position " + i);
      }
    }
    if (length == 0) {
      throw new BadMessageException(what + ": input is empty");
    }
    long decodedMax = (long) length / 4 * 3 + 3;
    if (decodedMax > Limits.MAX_MESSAGE_BYTES + 3L) {
      throw new BadMessageException(
          what + ": larger than the " + Limits.MAX_MESSAGE_BYTES + "-byte message limit");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(length == chars.length ? chars
          : java.util.Arrays.copyOf(chars, length));
    } catch (IllegalArgumentException e) {
      // Every character is in the alphabet by now; the decoder's message would quote offsets.
      throw new BadMessageException(what + ": not base64: wrong length or padding");
    }
    if (bytes.length > Limits.MAX_MESSAGE_BYTES) {
      throw new BadMessageException(
          what + ": larger than the " + Limits.MAX_MESSAGE_BYTES + "-byte message limit");
    }
    int first = 0;
    while (first < bytes.length && (bytes[first] == ' ' || bytes[first] == '\t'
        || bytes[first] == '\n' || bytes[first] == '\r')) {
      first++;
    }
    if (first == bytes.length || bytes[first] != '{') {
      throw new BadMessageException(what + ": base64 does not hold a JSON object");
    }
    // UTF-8 JSON never holds a NUL byte; UTF-16 and UTF-32 text does, and the parser would
    // detect and accept those encodings, where the wire format is UTF-8 alone (section 4).
    for (byte b : bytes) {
      if (b == 0) {
        throw new BadMessageException(what + ": base64 does not hold UTF-8 JSON (it has NUL"
            + " bytes, as UTF-16 or UTF-32 text would)");
      }
    }
    return bytes;
  }

  /**
   * A message's base64 starts with 'e' (for '{') or, after JSON whitespace, 'I', 'C' or 'D', so
   * text starting with '{', '[' or "-----BEGIN" is never one: say what it is instead of
   * quoting it.
   */
  private static void refuseOtherFormats(String what, String text) throws BadMessageException {
    int first = 0;
    while (first < text.length()
        && (Character.isWhitespace(text.charAt(first)) || text.charAt(first) == '\ufeff')) {
      first++;
    }
    if (first == text.length()) {
      throw new BadMessageException(what + ": input is empty");
    }
    char ch = text.charAt(first);
    if (ch == '{' || ch == '[') {
      throw new BadMessageException(what + ": this is JSON, not base64; messages travel as "
          + "base64 of the JSON (for a file: base64 -w0 FILE)");
    }
    if (text.startsWith("-----BEGIN", first)) {
      throw new BadMessageException(what + ": this is a PEM key, not a message");
    }
  }

  /** The one character a refusal quotes: printable ASCII as itself, anything else escaped. */
  private static String printable(char ch) {
    return ch < 0x20 || ch > 0x7e || ch == '`'
        ? String.format("\\u%04x", (int) ch) : String.valueOf(ch);
  }
}
