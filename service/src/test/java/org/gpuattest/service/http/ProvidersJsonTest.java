package org.gpuattest.service.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gpuattest.common.json.Json;
import org.junit.jupiter.api.Test;

/** The list's answer is Json.write's, byte for byte; only changed providers are serialized. */
class ProvidersJsonTest {
  private static FleetView.ProviderView view(String name, int failures, String summary) {
    FleetView.AttestationView last = summary == null ? null : new FleetView.AttestationView(
        "id-" + name, name, "failed", "host", null, "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:10Z", "c".repeat(32), "NVIDIA H100 80GB HBM3", 8, summary,
        List.of("prover.exit", "a\nb"), "prover.exit", null, null, 1.5, null, false);
    return new FleetView.ProviderView(name, "NVIDIA H100 80GB HBM3", 8, 3600, true,
        failures > 0 ? "failing" : "pending", "2026-01-01T01:00:00Z", null, failures, 0,
        failures, failures, null, null, 0, null, false, null, last);
  }

  @Test
  void write_zeroOneAndManyProviders_sameBytesAsJsonWrite() {
    ProvidersJson json = new ProvidersJson();
    List<FleetView.ProviderView> views = new ArrayList<>();
    for (int n = 0; n < 4; n++) {
      assertArrayEquals(Json.write(Map.of("providers", views)), json.write(views),
          n + " providers");
      views.add(view("p" + n, n, n % 2 == 0 ? "verdict: FAIL \"quoted\"\n\t<x>" : null));
    }
  }

  @Test
  void write_oneProviderChanged_onlyItSerializedAgain() {
    ProvidersJson json = new ProvidersJson();
    List<FleetView.ProviderView> views = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      views.add(view("p" + i, 0, null));
    }
    json.write(views);
    assertEquals(100, json.serialized());
    views.set(42, view("p42", 1, "verdict: FAIL"));
    byte[] again = json.write(views);
    assertEquals(101, json.serialized(), "p42 alone");
    assertArrayEquals(Json.write(Map.of("providers", views)), again);
  }
}
