package org.gpuattest.service.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.json.Json;

/**
 * The provider list's answer, {@code {"providers": [...]}}, byte for byte as {@link Json#write}
 * writes it, with each provider's part serialized only when its view changed since the last
 * answer (docs/benchmarks.md, "Service"): serializing a thousand providers was the largest
 * part of a list request, while between two requests only the few providers attested meanwhile
 * change.
 */
final class ProvidersJson {
  private static final byte[] OPEN = "{\n  \"providers\" : [ ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BETWEEN = ", ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CLOSE = " ]\n}".getBytes(StandardCharsets.UTF_8);

  private record Part(FleetView.ProviderView view, byte[] json) {}

  private Map<String, Part> parts = new HashMap<>();
  private long serialized;

  synchronized byte[] write(List<FleetView.ProviderView> views) {
    if (views.isEmpty()) {
      parts = new HashMap<>();
      return Json.write(Map.of("providers", views));
    }
    Map<String, Part> next = new HashMap<>(views.size() * 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 512 * views.size());
    out.writeBytes(OPEN);
    for (int i = 0; i < views.size(); i++) {
      FleetView.ProviderView v = views.get(i);
      Part p = parts.get(v.name());
      if (p == null || !p.view().equals(v)) {
        p = new Part(v, nested(v));
        serialized++;
      }
      next.put(v.name(), p);
      if (i > 0) {
        out.writeBytes(BETWEEN);
      }
      out.writeBytes(p.json());
    }
    out.writeBytes(CLOSE);
    parts = next;
    return out.toByteArray();
  }

  /**
   * One provider as the list's element: Json.write's text, each line after the first indented
   * two spaces deeper (a JSON string holds no raw line break, so only the layout's move).
   */
  private static byte[] nested(FleetView.ProviderView v) {
    return new String(Json.write(v), StandardCharsets.UTF_8).replace("\n", "\n  ")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** How many providers' parts were serialized so far (tests count them). */
  synchronized long serialized() {
    return serialized;
  }
}
