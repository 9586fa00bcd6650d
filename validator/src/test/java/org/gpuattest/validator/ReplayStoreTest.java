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

  /**
   * A disk that fills between creating the marker and writing its claim time: the claim fails
   * as the store's fault and leaves no marker, so once the disk is fixed the same challenge is
   * claimed, not refused as a replay the prover never made.
   */
  @Test
  void claim_writeFailsAfterCreate_noMarkerLeftAndClaimableAgain() throws Exception {
    ReplayStore full = new ReplayStore(dir, marker -> {
      java.nio.channels.SeekableByteChannel real = Files.newByteChannel(marker,
          java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
      return new java.nio.channels.SeekableByteChannel() {
        @Override public int write(java.nio.ByteBuffer src) throws java.io.IOException {
          throw new java.io.IOException("No space left on device");
        }
        @Override public int read(java.nio.ByteBuffer dst) throws java.io.IOException {
          return real.read(dst);
        }
        @Override public long position() throws java.io.IOException {
          return real.position();
        }
        @Override public java.nio.channels.SeekableByteChannel position(long p)
            throws java.io.IOException {
          return real.position(p);
        }
        @Override public long size() throws java.io.IOException {
          return real.size();
        }
        @Override public java.nio.channels.SeekableByteChannel truncate(long size)
            throws java.io.IOException {
          return real.truncate(size);
        }
        @Override public boolean isOpen() {
          return real.isOpen();
        }
        @Override public void close() throws java.io.IOException {
          real.close();
        }
      };
    });
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> full.claim(ID, NOW));
    assertTrue(e.getMessage().startsWith("cannot record challenge " + ID), e.getMessage());
    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    assertFalse(Files.exists(dir.resolve(ID)), "no half-written marker");
    assertTrue(new ReplayStore(dir).claim(ID, NOW), "claimable once the disk is fixed");
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
