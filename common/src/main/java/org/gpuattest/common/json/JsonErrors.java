package org.gpuattest.common.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gpuattest.common.util.Printable;

/**
 * Turns what Jackson throws while reading into one line in the project's words: the field, as a
 * path such as {@code devices[0].timing.startNanos}, and what is wrong with it in JSON terms
 * (object, array, string, integer, number, boolean, null). Jackson's own messages name Java
 * types, tokens, configuration switches and source locations, and some quote the offending text
 * at length; none of that is passed on, whatever the exception. At most one offending character
 * is quoted, escaped unless it is printable ASCII; field names from the input are shortened
 * (JsonPath) and escaped; a constructor's own IllegalArgumentException message (already in the
 * project's words) is kept.
 */
final class JsonErrors {
  /** The whole line is cut here; a record's message may quote a value up to Limits.MAX_TEXT. */
  private static final int MAX_LINE = 300;
  private static final Pattern CODE = Pattern.compile("code (\\d+)\\)");
  private static final Pattern CLOSE = Pattern.compile("close marker '(.)'");
  private static final Pattern REQUIRED =
      Pattern.compile("([A-Za-z][A-Za-z0-9]*(?:\\[\\d+])?) is required");
  private static final Pattern LEADING_NAME = Pattern.compile("^([A-Za-z][A-Za-z0-9]*)\\b");

  private JsonErrors() {}

  /** Which field, and what is wrong with it; {@link #oneLine} makes it safe to print. */
  static String describe(IOException e) {
    String path = e instanceof JsonMappingException m ? JsonPath.of(m) : "";
    JsonProcessingException core = streamCause(e);
    if (core != null) {
      String where = JsonPath.of(context(core));
      return streamError(core, where.isEmpty() ? path : where);
    }
    if (e instanceof UnrecognizedPropertyException) {
      return "unknown field '" + path + "'";
    }
    if (e instanceof ValueInstantiationException v) {
      return refused(v, path);
    }
    if (e instanceof MismatchedInputException m) {
      return mismatch(m, path);
    }
    if (e instanceof JsonMappingException) {
      return field(path) + "not a valid value";
    }
    // Jackson reads bytes as UTF-8, -16 or -32; anything else is not text it can read.
    return "not readable as UTF-8 JSON";
  }

  /** The parser's own failure (e itself or what databind wrapped), not a mapping failure. */
  private static JsonProcessingException streamCause(Throwable e) {
    for (int depth = 0; e != null && depth < 8; depth++, e = e.getCause()) {
      if (e instanceof JsonProcessingException j && !(e instanceof JsonMappingException)) {
        return j;
      }
    }
    return null;
  }

  private static String streamError(JsonProcessingException e, String path) {
    String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (e instanceof StreamConstraintsException) {
      return field(path) + tooLarge(msg);
    }
    if (e instanceof InputCoercionException) {
      return field(path) + "number out of range";
    }
    if (e instanceof JsonEOFException || msg.contains("end-of-input")) {
      return "truncated JSON: the text ends" + at(e) + near(path);
    }
    if (msg.startsWith("Duplicate field") && !path.isEmpty()) {
      return "field '" + path + "' appears twice";
    }
    if (e instanceof JsonParseException && trailing(e)) {
      return "trailing data after the JSON object" + at(e);
    }
    String what = syntax(msg);
    return "invalid JSON" + at(e) + near(path) + (what.isEmpty() ? "" : ": " + what);
  }

  /** The limits Json sets on the parser, in its numbers rather than Jackson's sentence. */
  private static String tooLarge(String msg) {
    if (msg.startsWith("Number value length")) {
      return "number longer than " + Json.MAX_NUMBER_LENGTH + " characters";
    }
    if (msg.startsWith("String value length")) {
      return "string longer than " + Json.MAX_STRING_LENGTH + " characters";
    }
    if (msg.startsWith("Document nesting depth")) {
      return "nested deeper than " + Json.MAX_DEPTH + " levels";
    }
    if (msg.startsWith("Name length")) {
      return "field name too long";
    }
    return "too large";
  }

  /** The root context counts the values begun at the top level: a second one is trailing. */
  private static boolean trailing(JsonProcessingException e) {
    JsonStreamContext ctx = context(e);
    return ctx != null && ctx.inRoot() && ctx.getEntryCount() > 1;
  }

  /** Jackson's syntax complaint (2.17 wording) in ours; unknown wording gives no detail. */
  private static String syntax(String msg) {
    String got = offending(msg);
    if (msg.contains("double-quote to start field name")) {
      return "expected a field name in double quotes" + got;
    }
    if (msg.contains("comma to separate Object entries")) {
      return "expected ',' or '}'" + got;
    }
    if (msg.contains("comma to separate Array entries")) {
      return "expected ',' or ']'" + got;
    }
    if (msg.contains("colon to separate field name and value")) {
      return "expected ':' after the field name" + got;
    }
    if (msg.startsWith("Unexpected close marker")) {
      Matcher m = CLOSE.matcher(msg);
      return "unexpected " + (m.find() ? quote(m.group(1).charAt(0)) : "closing bracket");
    }
    if (msg.startsWith("Unrecognized token") || msg.contains("expected a valid value")
        || msg.contains("expected a value")) {
      return "expected a value (a string in double quotes, a number, an object, an array, "
          + "true, false or null)" + got;
    }
    if (msg.startsWith("Non-standard token")) {
      return "NaN and Infinity are not JSON numbers";
    }
    if (msg.contains("Leading zeroes")) {
      return "invalid number: leading zeroes are not allowed";
    }
    if (msg.contains("numeric value") || msg.startsWith("Invalid numeric")) {
      return "invalid number" + got;
    }
    if (msg.startsWith("Illegal unquoted character")) {
      return "a control character inside a string must be escaped" + got;
    }
    if (msg.startsWith("Illegal character") || msg.startsWith("Invalid white space")) {
      return "only spaces, tabs and line breaks may stand between values" + got;
    }
    if (msg.contains("character escape")) {
      return "invalid escape sequence in a string";
    }
    if (msg.startsWith("Invalid UTF-8") || msg.contains("UTF-8")) {
      return "not valid UTF-8";
    }
    if (msg.startsWith("Unexpected character")) {
      return "unexpected character" + got;
    }
    return "";
  }

  /** ", got 'c'" for the one character Jackson names by its code, else nothing. */
  private static String offending(String msg) {
    Matcher m = CODE.matcher(msg);
    if (!m.find()) {
      return "";
    }
    try {
      return ", got " + quote(Integer.parseInt(m.group(1)));
    } catch (NumberFormatException e) {
      return "";
    }
  }

  private static String mismatch(MismatchedInputException e, String path) {
    String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (msg.startsWith("Missing required creator property")) {
      return "field '" + path + "' is required";
    }
    if (msg.startsWith("No content to map")) {
      return "input is empty";
    }
    if (msg.startsWith("Trailing token")) {
      return "trailing data after the JSON object" + at(e);
    }
    if (e instanceof InvalidTypeIdException) {
      return field(path) + "unknown type";
    }
    String expected = expected(e.getTargetType(), JsonPath.endsInIndex(e));
    String got = got(token(e));
    if (expected == null || got == null || expected.equals(got)) {
      return field(path) + (got == null ? "not a valid value" : got + " is not allowed here");
    }
    return field(path) + "expected " + expected + ", got " + got;
  }

  /**
   * A record's constructor refused the values: its IllegalArgumentException already speaks the
   * project's language. When the message starts with one of the record's own fields it reads
   * as a continuation of the path (devices[0].smMonitor.busyFraction must be ...); otherwise the
   * path goes in front. Any other exception is a bug in a record, not something to show.
   */
  private static String refused(ValueInstantiationException e, String path) {
    Throwable cause = e.getCause();
    if (!(cause instanceof IllegalArgumentException) || cause.getMessage() == null) {
      return field(path) + "not a valid value";
    }
    String msg = cause.getMessage();
    String prefix = path.isEmpty() ? "" : path + ".";
    Matcher required = REQUIRED.matcher(msg);
    if (required.matches()) {
      return "field '" + prefix + required.group(1) + "' is required";
    }
    if (path.isEmpty()) {
      return msg;
    }
    Matcher name = LEADING_NAME.matcher(msg);
    Class<?> type = e.getType() == null ? null : e.getType().getRawClass();
    if (name.find() && type != null && type.isRecord()) {
      for (var component : type.getRecordComponents()) {
        if (component.getName().equals(name.group(1))) {
          return prefix + msg;
        }
      }
    }
    return field(path) + msg;
  }

  /** What the target type is in JSON terms; null when JSON has no single word for it. */
  private static String expected(Class<?> type, boolean element) {
    if (type == null) {
      return null;
    }
    if (element && type.isArray()) {
      type = type.getComponentType();
    } else if (element && Collection.class.isAssignableFrom(type)) {
      return null; // the element type is erased
    }
    if (type == int.class || type == long.class || type == short.class || type == byte.class
        || type == Integer.class || type == Long.class || type == Short.class
        || type == Byte.class || type == BigInteger.class) {
      return "an integer";
    }
    if (type == double.class || type == float.class || type == Double.class
        || type == Float.class || type == BigDecimal.class || type == Number.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "a boolean";
    }
    if (CharSequence.class.isAssignableFrom(type) || type == char.class
        || type == Character.class || type.isEnum()) {
      return "a string";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (JsonNode.class.isAssignableFrom(type) || type == Object.class) {
      return null;
    }
    return "an object"; // a record, a Map or another bean
  }

  private static String got(JsonToken token) {
    if (token == null) {
      return null;
    }
    return switch (token) {
      case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
      case START_ARRAY, END_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a number with a fraction or exponent";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> null;
    };
  }

  /** The token the parser stood on when it failed; the parser keeps it after closing. */
  private static JsonToken token(JsonProcessingException e) {
    return e.getProcessor() instanceof JsonParser p ? p.currentToken() : null;
  }

  private static JsonStreamContext context(JsonProcessingException e) {
    return e.getProcessor() instanceof JsonParser p ? p.getParsingContext() : null;
  }

  private static String field(String path) {
    return path.isEmpty() ? "" : "field '" + path + "': ";
  }

  private static String near(String path) {
    return path.isEmpty() ? "" : " near field '" + path + "'";
  }

  private static String at(JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    if (loc == null || loc.getLineNr() <= 0) {
      return "";
    }
    return " at line " + loc.getLineNr()
        + (loc.getColumnNr() > 0 ? " column " + loc.getColumnNr() : "");
  }

  private static String quote(int codePoint) {
    return codePoint == '\'' ? "\"'\"" : "'" + printable(codePoint) + "'";
  }

  /** A character as itself when it is printable ASCII but a backtick, otherwise escaped. */
  static String printable(int codePoint) {
    if (codePoint >= 0x20 && codePoint < 0x7f && codePoint != '`') {
      return String.valueOf((char) codePoint);
    }
    return codePoint > 0xffff
        ? String.format("\\U%08x", codePoint) : String.format("\\u%04x", codePoint);
  }

  /**
   * Escapes every character that could break the line, then bounds its length. A backtick from
   * the input is escaped too: Jackson quotes its Java types in backticks, so a line without
   * any is one that tests can tell apart from Jackson's.
   */
  static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_LINE) + 8);
    int i = 0;
    while (i < s.length() && sb.length() < MAX_LINE) {
      int cp = s.codePointAt(i);
      // What cannot be printed is Printable's to say; a backtick is escaped too (it would
      // read as Jackson's quoting); a backslash stays, since quoted characters in the line
      // arrive already escaped.
      sb.append(cp == '`' ? printable(cp) : cp == '\\' ? "\\"
          : Printable.escape(new String(Character.toChars(cp))));
      i += Character.charCount(cp);
    }
    return i < s.length() ? sb + "..." : sb.toString();
  }
}
