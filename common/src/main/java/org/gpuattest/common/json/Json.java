package org.gpuattest.common.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;

/**
 * The project's one JSON mapper, strict on input: unknown fields, duplicate keys, trailing
 * tokens, null for a number, a float where an integer belongs and strings coerced to numbers
 * are all refused. Errors become one line naming the field (sigstore-java's GsonSupplier plays
 * the same role there). Nothing else in the project constructs an ObjectMapper.
 */
public final class Json {
  private static final ObjectMapper MAPPER = build();

  private Json() {}

  private static ObjectMapper build() {
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    // A number or boolean where a string belongs is refused too, not read as its text.
    for (CoercionInputShape shape : new CoercionInputShape[] {
        CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
      mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxStringLength(Limits.MAX_MESSAGE_BYTES)
                .maxNestingDepth(16)
                .maxNumberLength(32)
                .build());
    return mapper;
  }

  /** Parses UTF-8 JSON into {@code type}; {@code what} names the message in errors. */
  public static <T> T read(String what, byte[] json, Class<T> type) throws BadMessageException {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new BadMessageException(what + ": " + describe(e));
    }
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  public static String writeString(Object value) {
    return new String(write(value), StandardCharsets.UTF_8);
  }

  /** One line: which field, and what is wrong with it. */
  static String describe(IOException e) {
    if (e instanceof JsonEOFException) {
      return "truncated JSON (" + firstLine(((JsonEOFException) e).getOriginalMessage()) + ")";
    }
    if (e instanceof UnrecognizedPropertyException) {
      UnrecognizedPropertyException u = (UnrecognizedPropertyException) e;
      return "unknown field '" + path(u) + "'";
    }
    if (e instanceof ValueInstantiationException) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String prefix = path((JsonMappingException) e);
      String msg = firstLine(cause.getMessage());
      return prefix.isEmpty() ? msg : prefix + "." + msg;
    }
    if (e instanceof JsonMappingException) {
      JsonMappingException m = (JsonMappingException) e;
      String p = path(m);
      String msg = firstLine(m.getOriginalMessage());
      if (msg.startsWith("Missing required creator property")) {
        return "field '" + p + "' is required";
      }
      return p.isEmpty() ? msg : "field '" + p + "': " + msg;
    }
    if (e instanceof StreamReadException) {
      StreamReadException s = (StreamReadException) e;
      String where =
          s.getLocation() == null
              ? ""
              : " at line " + s.getLocation().getLineNr() + " column " + s.getLocation().getColumnNr();
      return "invalid JSON" + where + ": " + firstLine(s.getOriginalMessage());
    }
    return "unreadable: " + firstLine(e.getMessage());
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no detail";
    }
    String line = s.lines().findFirst().orElse("").trim();
    int hint = line.indexOf(" (set DeserializationConfig");
    if (hint > 0) {
      line = line.substring(0, hint);
    }
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
