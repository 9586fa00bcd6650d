package org.gpuattest.common.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;

/**
 * The project's one JSON mapper, strict on input: unknown fields, duplicate keys, trailing
 * tokens, null for a number, a float where an integer belongs and strings coerced to numbers
 * are all refused. Errors become one line naming the field and saying what is wrong in JSON
 * terms (JsonErrors; sigstore-java's GsonSupplier plays the same role there). Nothing else in
 * the project constructs an ObjectMapper.
 */
public final class Json {
  /** Messages nest four levels (commitment, devices, a device, its timing); 16 is plenty. */
  static final int MAX_DEPTH = 16;
  /** Digits, sign, point and exponent of the longest number a message holds, with room. */
  static final int MAX_NUMBER_LENGTH = 32;
  static final int MAX_STRING_LENGTH = Limits.MAX_MESSAGE_BYTES;
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
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .build());
    return mapper;
  }

  /**
   * Parses UTF-8 JSON into {@code type}; {@code what} names the message in errors. Every
   * refusal is one line in the project's words (see JsonErrors), never Jackson's own text.
   */
  public static <T> T read(String what, byte[] json, Class<T> type) throws BadMessageException {
    T value;
    try {
      value = MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new BadMessageException(JsonErrors.oneLine(what + ": " + JsonErrors.describe(e)));
    }
    if (value == null) { // the JSON text "null": no record, and no caller expects null
      throw new BadMessageException(JsonErrors.oneLine(what + ": expected an object, got null"));
    }
    return value;
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

  /**
   * The names of the top-level object's fields in order, as far as the text can be read; empty
   * when it does not start with an object. Values are skipped, never kept: this is how a
   * message's kind is recognised (MessageKind) after a strict read has failed.
   */
  public static Set<String> topLevelFieldNames(byte[] json) {
    Set<String> names = new LinkedHashSet<>();
    try (JsonParser p = MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Set.of();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        names.add(p.currentName());
        p.nextToken();
        p.skipChildren();
      }
    } catch (IOException e) {
      // A truncated or broken text still shows its kind by the names read before the break.
    }
    return Collections.unmodifiableSet(names);
  }
}
