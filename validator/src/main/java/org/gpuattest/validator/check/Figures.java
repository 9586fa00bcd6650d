package org.gpuattest.validator.check;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A check's {@code figures}: its measured numbers and bounds as JSON numbers (docs/protocol.md
 * section 8.3), named in the order given. A value that is null or not finite (a coefficient of
 * variation over no blocks, say) is left out, since JSON has no NaN or infinity.
 */
final class Figures {
  private Figures() {}

  /** @param namesAndValues name, value, name, value, ...; values are Numbers or null */
  static Map<String, Double> of(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("figures come in name, value pairs");
    }
    Map<String, Double> f = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      Number v = (Number) namesAndValues[i + 1];
      if (v != null && Double.isFinite(v.doubleValue())) {
        f.put((String) namesAndValues[i], v.doubleValue());
      }
    }
    return f;
  }
}
