package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ReplayStore: each challenge id is claimed once, across objects, restarts and threads. */
class ReplayStoreTest {
  static final String ID = "0123456789abcdef0123456789abcdef";
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void claim_firstThenSecond_trueThenFalse() throws Exception {
    ReplayStore store = new ReplayStore(dir.resolve("a/b/used"));
    assertTrue(store.claim(ID, NOW));
    assertFalse(store.claim(ID, NOW.plusSeconds(1)));
    assertTrue(Files.exists(dir.resolve("a/b/used").resolve(ID)), "marker file written");
  }

  @Test
  void claim_afterRestart_stillClaimed() throws Exception {
    assertTrue(new ReplayStore(dir).claim(ID, NOW));
    assertFalse(new ReplayStore(dir).claim(ID, NOW), "a new store on the same folder");
  }

  @Test
  void claim_otherId_claimable() throws Exception {
    ReplayStore store = new ReplayStore(dir);
    assertTrue(store.claim(ID, NOW));
    assertTrue(store.claim("ff".repeat(16), NOW));
  }

  @Test
  void claim_upperCaseOfClaimedId_refused() throws Exception {
    ReplayStore store = new ReplayStore(dir);
    assertTrue(store.claim(ID, NOW));
    assertFalse(store.claim(ID.toUpperCase(java.util.Locale.ROOT), NOW));
  }

  @Test
  void claim_pathLikeId_rejected() {
    ReplayStore store = new ReplayStore(dir.resolve("used"));
    assertThrows(IllegalArgumentException.class,
        () -> store.claim("../../../../../../../../etc/pwd", NOW));
    assertThrows(IllegalArgumentException.class, () -> store.claim("abc", NOW));
  }

  @Test
  void claim_manyThreadsSameId_exactlyOneWins() throws Exception {
    int threads = 16;
    for (int round = 0; round < 20; round++) {
      String id = String.format("%032x", round);
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          ReplayStore own = new ReplayStore(dir); // as separate validators would
          results.add(pool.submit(() -> {
            go.await();
            return own.claim(id, NOW);
          }));
        }
        go.countDown();
        int wins = 0;
        for (Future<Boolean> f : results) {
          wins += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertEquals(1, wins, "round " + round);
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
