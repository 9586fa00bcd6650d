package org.gpuattest.kernels.emu;

/**
 * Racecheck for global memory within one CTA, which compute-sanitizer's racecheck does not do
 * but the same reasoning covers: two threads of a CTA touching one 4-byte global word between
 * two barriers, at least one writing, is a hazard (merkle_root passes tree levels through
 * global scratch, ordered only by bar.sync). Races between CTAs are not checked (they run one
 * at a time here); atomics are exempt. The words a CTA touches sit in an open-addressing table
 * cleared per CTA by a generation stamp.
 */
final class GlobalRaces {
  private long[] word = new long[1 << 12];
  private int[] stamp = new int[1 << 12];
  private Hazards hazards = new Hazards(1 << 12, "global");
  private int size;
  private int generation = 1;

  /** Forgets every word: a new CTA. */
  void reset() {
    generation++;
    size = 0;
  }

  private int slot(long w) {
    int mask = word.length - 1;
    int i = (int) (w * 0x9E3779B97F4A7C15L >>> 40) & mask;
    while (stamp[i] == generation && word[i] != w) {
      i = (i + 1) & mask;
    }
    if (stamp[i] != generation) {
      if (++size * 2 > word.length) {
        grow();
        return slot(w);
      }
      stamp[i] = generation;
      word[i] = w;
      hazards.clear(i, i + 1);
    }
    return i;
  }

  private void grow() {
    long[] oldWord = word;
    int[] oldStamp = stamp;
    Hazards old = hazards;
    int n = oldWord.length * 2;
    word = new long[n];
    stamp = new int[n];
    hazards = new Hazards(n, "global");
    size = 0;
    for (int i = 0; i < oldWord.length; i++) {
      if (oldStamp[i] == generation) {
        size++;
        int j = (int) (oldWord[i] * 0x9E3779B97F4A7C15L >>> 40) & (n - 1);
        while (stamp[j] == generation) {
          j = (j + 1) & (n - 1);
        }
        stamp[j] = generation;
        word[j] = oldWord[i];
        old.copy(i, hazards, j);
      }
    }
  }

  /** Thread {@code tid} reads [address, address + bytes) in barrier interval {@code epoch}. */
  void read(long address, int bytes, int tid, int epoch, int lane) {
    for (long w = address >> 2, end = (address + bytes + 3) >> 2; w < end; w++) {
      int i = slot(w); // first: it may grow the table, and replace hazards
      hazards.read(i, tid + 1, epoch, w << 2, lane);
    }
  }

  /** Thread {@code tid} writes [address, address + bytes) in barrier interval {@code epoch}. */
  void write(long address, int bytes, int tid, int epoch, int lane) {
    for (long w = address >> 2, end = (address + bytes + 3) >> 2; w < end; w++) {
      int i = slot(w);
      hazards.checkWrite(i, tid + 1, epoch, w << 2, lane);
      hazards.markWritten(i, tid + 1, epoch);
    }
  }
}
