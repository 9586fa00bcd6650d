package org.gpuattest.common.json;

import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where in a message an error is, written as a user reads it:
 * {@code devices[0].timing.startNanos} rather than Jackson's reference chain of Java types.
 * Field names come from the input, so a long one is cut; JsonErrors escapes what is left.
 */
final class JsonPath {
  /** A field name from the input is cut here, so a hostile key cannot fill the line. */
  private static final int MAX_NAME = 64;

  private JsonPath() {}

  /** Databind's reference chain as devices[0].timing.startNanos. */
  static String of(JsonMappingException e) {
    List<String> parts = new ArrayList<>();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        parts.add(name(r.getFieldName()));
      } else if (r.getIndex() >= 0) {
        parts.add("[" + r.getIndex() + "]");
      }
    }
    return join(parts);
  }

  /** The parser's position as the same kind of path, for errors databind did not wrap. */
  static String of(JsonStreamContext context) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.add(0, "[" + c.getCurrentIndex() + "]");
      } else if (c.getCurrentName() != null) {
        parts.add(0, name(c.getCurrentName()));
      }
    }
    return join(parts);
  }

  /** Whether the failure is at an element of an array rather than at a named field. */
  static boolean endsInIndex(JsonMappingException e) {
    List<JsonMappingException.Reference> refs = e.getPath();
    return !refs.isEmpty() && refs.get(refs.size() - 1).getFieldName() == null
        && refs.get(refs.size() - 1).getIndex() >= 0;
  }

  private static String join(List<String> parts) {
    StringBuilder sb = new StringBuilder();
    for (String p : parts) {
      if (sb.length() > 0 && !p.startsWith("[")) {
        sb.append('.');
      }
      sb.append(p);
    }
    return sb.toString();
  }

  private static String name(String fieldName) {
    return fieldName.length() <= MAX_NAME ? fieldName : fieldName.substring(0, MAX_NAME) + "...";
  }
}
