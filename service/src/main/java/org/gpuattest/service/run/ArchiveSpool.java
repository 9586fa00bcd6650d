package org.gpuattest.service.run;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.EvidenceArchive;

/**
 * Where an exchange waits while the evidence archive cannot take it (a full disk, a lost mount;
 * docs/service.md, "Faults"), so that no verdict and none of its evidence is lost: a folder of
 * the archive's own layout, signed the same way, beside the replay store (which every
 * attestation writes, so it is writable whenever attestations run at all), and where even that
 * fails, the service's memory (at most {@link #MAX_HELD} exchanges). {@link #flush} moves every
 * waiting exchange into the archive once it can be written again, each whole or not at all,
 * before its spooled copy is deleted; the caller then indexes it as a reindex would.
 */
public final class ArchiveSpool {
  /** The spool's folder beside the replay store: $GPU_ATTEST_HOME/validator/archive-spool. */
  static final String FOLDER = "archive-spool";
  /** Exchanges held in memory at most, when the spool cannot be written either. */
  static final int MAX_HELD = 256;

  private final EvidenceArchive archive;
  private final EvidenceArchive spool;
  private final Ed25519PrivateKey key;
  private final Deque<ArchivedExchange> held = new ArrayDeque<>();

  /** @param key signs each exchange, in the spool and in the archive (the archive key) */
  public ArchiveSpool(EvidenceArchive archive, Path folder, Ed25519PrivateKey key) {
    this.archive = archive;
    this.spool = new EvidenceArchive(folder);
    this.key = key;
  }

  /** The spool's folder beside the replay store {@code replayDir}. */
  public static Path besideReplayStore(Path replayDir) {
    return replayDir.toAbsolutePath().resolveSibling(FOLDER);
  }

  public Path folder() {
    return spool.root();
  }

  /**
   * Keeps an exchange the archive refused until {@link #flush} moves it there.
   *
   * @return where it waits, for the index's summary and the log
   */
  public synchronized String hold(ArchivedExchange x) {
    try {
      return "kept in the spool at " + spool.keep(x, key) + " until the archive can be written";
    } catch (IOException e) {
      if (held.size() >= MAX_HELD) {
        return "LOST: the spool cannot be written either (" + e.getMessage() + ") and "
            + MAX_HELD + " exchanges wait in memory already";
      }
      held.add(x);
      return "held in memory until the archive can be written (the spool cannot be: "
          + e.getMessage() + ")";
    }
  }

  /** Exchanges waiting, in the spool's folder and in memory. */
  public synchronized int waiting() {
    return held.size() + spooled().size();
  }

  /**
   * Moves every waiting exchange into the archive, oldest day first, and stops at the first the
   * archive refuses (it is still unwritable). An exchange whose folder the archive has already
   * (moved before a crash that left its spooled copy) is only dropped from the spool.
   *
   * @return the challenge ids of the exchanges now in the archive, for the index
   */
  public synchronized List<String> flush() {
    List<String> moved = new ArrayList<>();
    try {
      while (!held.isEmpty()) {
        ArchivedExchange x = held.peek();
        if (!Files.exists(archive.folder(x.record()))) {
          archive.keep(x, key);
        }
        held.remove();
        moved.add(x.record().challengeId());
      }
      for (Path dir : spooled()) {
        ArchivedExchange x;
        try {
          x = ArchivedExchange.read(dir);
        } catch (BadMessageException e) {
          continue; // not an exchange this spool wrote whole: left for a person to look at
        }
        if (!Files.exists(archive.folder(x.record()))) {
          archive.keep(x, key);
        }
        deleteTree(dir);
        moved.add(x.record().challengeId());
      }
    } catch (IOException e) {
      // The archive (or the spool) still cannot be used: the rest waits for the next flush.
    }
    return moved;
  }

  /** The exchange folders in the spool, oldest day first. */
  private List<Path> spooled() {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(spool.root())) {
      return out;
    }
    try (DirectoryStream<Path> days = Files.newDirectoryStream(spool.root())) {
      for (Path day : days) {
        if (!EvidenceArchive.DATE_FOLDER.matcher(day.getFileName().toString()).matches()) {
          continue;
        }
        try (DirectoryStream<Path> exchanges = Files.newDirectoryStream(day)) {
          for (Path x : exchanges) {
            if (EvidenceArchive.EXCHANGE_FOLDER.matcher(x.getFileName().toString()).matches()) {
              out.add(x);
            }
          }
        }
      }
    } catch (IOException e) {
      // Unreadable now: tried again at the next flush.
    }
    out.sort(Comparator.comparing((Path p) -> p.getParent().getFileName().toString())
        .thenComparing(p -> p.getFileName().toString()));
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
    Path day = dir.getParent();
    try {
      Files.deleteIfExists(day);
    } catch (IOException e) {
      // Another exchange of that day waits there still.
    }
  }
}
