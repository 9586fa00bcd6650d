package org.gpuattest.common.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.gpuattest.common.BadMessageException;

/**
 * Removing a tool's own files by age, as 'validator prune' and 'attestor prune' do: only
 * entries the tool wrote, recognised by name, and inside them only the files it writes; any
 * other entry is left alone and reported. A dry run counts the same and removes nothing.
 */
public final class Pruning {
  /**
   * The fewest days a replay-store entry or a prover state is kept: a challenge lives at most
   * 7 days (Limits.MAX_LIFETIME_SECONDS, which every challenge is held to) and a validator
   * waits at most 7 days for openings (its longest --open-timeout), plus a day's margin for
   * clocks and stragglers.
   * Removing either sooner could let a challenge be replayed, or leave a prover unable to
   * open what it committed to, while the challenge can still be valid.
   */
  public static final int MIN_PROTECTED_DAYS = 8;
  /** A hundred years: more is a typo. */
  public static final int MAX_DAYS = 36_500;

  private Pruning() {}

  /**
   * @param floor the fewest days allowed, with the reason given when fewer are asked for
   * @throws BadMessageException {@code days} is out of [floor, MAX_DAYS], naming the option
   */
  public static int days(String option, long days, int floor, String why)
      throws BadMessageException {
    if (days < floor || days > MAX_DAYS) {
      throw new BadMessageException(option + " must be in [" + floor + ", " + MAX_DAYS
          + "], got " + days + (days < floor && why != null ? ": " + why : ""));
    }
    return (int) days;
  }

  /** Entries last changed before this instant are older than {@code days}. */
  public static Instant cutoff(Instant now, int days) {
    return now.minus(Duration.ofDays(days));
  }

  /**
   * The entries of a store's folder, sorted so reports list them in one order; none, noted on
   * {@code t} as absent, when the folder does not exist.
   */
  public static List<Path> entries(Tally t, Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      t.absent();
      return List.of();
    }
    return list(dir);
  }

  /** The entries of {@code dir}, sorted. */
  public static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  /**
   * Why an entry is left alone when reading or removing it failed: "cannot read or remove it:
   * permission denied", never a bare path.
   */
  public static String unreadable(IOException e) {
    String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : AtomicFiles.describe(e);
    return "cannot read or remove it: " + why;
  }

  /** When the file or folder was last modified. */
  public static Instant modified(Path p) throws IOException {
    return Files.getLastModifiedTime(p).toInstant();
  }

  /**
   * Removes {@code folder} if it holds only plain files named in {@code files}.
   *
   * @return the bytes removed (or that would be); empty when the folder holds anything else,
   *     and then nothing is removed
   */
  public static OptionalLong removeFolder(Path folder, Set<String> files, boolean dryRun)
      throws IOException {
    List<Path> entries;
    try (Stream<Path> list = Files.list(folder)) {
      entries = list.toList();
    }
    long bytes = 0;
    for (Path p : entries) {
      if (!files.contains(p.getFileName().toString()) || !Files.isRegularFile(p)
          || Files.isSymbolicLink(p)) {
        return OptionalLong.empty();
      }
      bytes += Files.size(p);
    }
    if (!dryRun) {
      for (Path p : entries) {
        Files.delete(p);
      }
      Files.delete(folder);
    }
    return OptionalLong.of(bytes);
  }

  /** Removes one plain file; the bytes removed (or that would be). */
  public static long removeFile(Path file, boolean dryRun) throws IOException {
    long bytes = Files.size(file);
    if (!dryRun) {
      Files.delete(file);
    }
    return bytes;
  }

  /** What pruning one store did: counts, bytes, and the entries left alone. */
  public static final class Tally {
    private final String store;
    private final Path dir;
    private final String noun;
    private final boolean dryRun;
    private int removed;
    private long bytes;
    private int kept;
    private boolean absent;
    private final List<String> ignored = new ArrayList<>();

    /** @param noun what the store holds, plural: "exchanges", "entries", "states" */
    public Tally(String store, Path dir, String noun, boolean dryRun) {
      this.store = store;
      this.dir = dir;
      this.noun = noun;
      this.dryRun = dryRun;
    }

    public void removed(long size) {
      removed++;
      bytes += size;
    }

    /** The store's folder does not exist: nothing to remove, and not an error. */
    public void absent() {
      absent = true;
    }

    public void kept() {
      kept++;
    }

    public void ignored(Path entry, String why) {
      ignored.add(entry + " (" + why + ")");
    }

    public int removedCount() {
      return removed;
    }

    public long removedBytes() {
      return bytes;
    }

    public int keptCount() {
      return kept;
    }

    public List<String> ignored() {
      return List.copyOf(ignored);
    }

    /** "replay store DIR: removed 3 entries (96 bytes), kept 5", then one line per ignored. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      if (absent) {
        out.add(store + " " + dir + ": does not exist; nothing to remove");
        return out;
      }
      out.add(store + " " + dir + ": " + (dryRun ? "would remove " : "removed ") + removed
          + " " + noun + " (" + bytes + " bytes), kept " + kept);
      for (String i : ignored) {
        out.add("  left alone: " + Printable.escape(i));
      }
      return out;
    }
  }
}
