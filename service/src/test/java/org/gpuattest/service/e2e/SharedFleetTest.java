package org.gpuattest.service.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.gpuattest.service.store.Stores;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Store;
import org.gpuattest.service.store.TestDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two validator hosts sharing one fleet through one PostgreSQL database (docs/service.md,
 * "Two validator hosts, one fleet"): two 'validator serve' processes, each with its own
 * archive and replay store, both attesting, and no
 * provider ever attested by both at once: each provider's attestations, in order, each start
 * after the one before ended. Skipped, saying why, where no PostgreSQL server is named.
 */
class SharedFleetTest {
  @TempDir Path dir;

  @BeforeAll
  static void server() {
    assumeTrue(TestDatabases.postgresServer() != null, TestDatabases.noPostgres());
  }

  @Test
  void twoInstancesOnePostgres_bothAttestAndNeverOneProviderAtOnce() throws Exception {
    String url = TestDatabases.freshPostgresSchema();
    ServiceFixture a = new ServiceFixture(Files.createDirectories(dir.resolve("host-a")));
    ServiceFixture b = new ServiceFixture(Files.createDirectories(dir.resolve("host-b")));
    for (ServiceFixture f : List.of(a, b)) {
      f.writeFleet(ServiceFixture.entry("p1", f.honest(), 1, ""),
          ServiceFixture.entry("p2", f.honest(), 1, ""),
          ServiceFixture.entry("p3", f.honest(), 1, ""));
    }
    try (ServedProcess one = ServedProcess.start(a.dir, a.fleetFile, url, "host-a",
            "--concurrency", "1");
        ServedProcess two = ServedProcess.start(b.dir, b.fleetFile, url, "host-b",
            "--concurrency", "1");
        Store store = Stores.open(url, null)) {
      one.await("five passes, by both hosts", () -> {
        List<AttestationRow> all;
        try {
          all = all(store);
        } catch (RuntimeException e) {
          return false; // the schema is still being made by one of them
        }
        return all.stream().filter(r -> r.state() == Store.State.PASSED).count() >= 5
            && instances(all).size() == 2;
      });
      one.stop();
      two.stop();
      check(store);
    }
    assertEquals(List.of(), a.leftovers());
    assertEquals(List.of(), b.leftovers());
  }

  private static void check(Store store) {
    List<AttestationRow> all = all(store);
    assertEquals(Set.of("host-a", "host-b"), instances(all));
    List<String> overlaps = new ArrayList<>();
    for (String p : List.of("p1", "p2", "p3")) {
      List<AttestationRow> rows = new ArrayList<>(store.history(p, 0, 500));
      rows.removeIf(r -> r.startedAt() == null || r.finishedAt() == null);
      rows.sort(Comparator.comparing(AttestationRow::startedAt));
      for (int i = 1; i < rows.size(); i++) {
        if (rows.get(i).startedAt().isBefore(rows.get(i - 1).finishedAt())) {
          overlaps.add(rows.get(i - 1) + " and " + rows.get(i));
        }
      }
    }
    assertEquals(List.of(), overlaps, "one provider attested by both hosts at once");
    assertFalse(all.stream().anyMatch(r -> r.state() == Store.State.FAILED
        || r.state() == Store.State.ERROR), all.toString());
    assertEquals(0, store.count(Store.State.RUNNING), "both stopped cleanly");
  }

  private static List<AttestationRow> all(Store store) {
    List<AttestationRow> all = new ArrayList<>();
    for (String p : List.of("p1", "p2", "p3")) {
      all.addAll(store.history(p, 0, 500));
    }
    return all;
  }

  private static Set<String> instances(List<AttestationRow> rows) {
    Set<String> s = new TreeSet<>();
    rows.stream().filter(r -> r.state() == Store.State.PASSED).forEach(r -> s.add(r.instance()));
    return s;
  }
}
