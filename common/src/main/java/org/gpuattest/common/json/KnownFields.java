package org.gpuattest.common.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.util.Printable;

/**
 * Refuses a field a record does not have before the record is read from an operator's file
 * (profile overrides, the fleet file): the strict reader would first report the correct name
 * as missing, where a misspelling is what to fix, so the message names the likely field.
 */
public final class KnownFields {
  private KnownFields() {}

  /**
   * {@code node}, if each of its fields is a component of {@code type}.
   *
   * @throws BadMessageException "WHERE: unknown field 'x' (did you mean 'y'?)", the field
   *     escaped and cut at 60 characters
   */
  public static JsonNode check(String where, JsonNode node, Class<? extends Record> type)
      throws BadMessageException {
    List<String> names = new ArrayList<>();
    for (var c : type.getRecordComponents()) {
      names.add(c.getName());
    }
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!names.contains(field)) {
        String hint = names.stream().filter(n -> n.equalsIgnoreCase(field)).findFirst()
            .map(n -> " (did you mean '" + n + "'?)").orElse("");
        throw new BadMessageException(where + ": unknown field '" + Printable.escape(
            field.length() > 60 ? field.substring(0, 57) + "..." : field) + "'" + hint);
      }
    }
    return node;
  }
}
