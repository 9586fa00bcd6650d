package org.gpuattest.kernels.emu;

import java.util.Arrays;

/**
 * Racecheck for global memory within one CTA, which compute-sanitizer's racecheck does not do
 * but the same reasoning covers: two threads of a CTA touching one 4-byte global word between
 * two barriers, at least one writing, is a hazard (merkle_root passes tree levels through
 * global scratch, ordered only by bar.sync). Races between CTAs are not checked (they run one
 * at a time here); atomics are exempt. The words a CTA touches sit in an open-addressing table
 * cleared per CTA by a generation stamp.
 */
final class GlobalRaces {
  private static final int MANY = -1;

  private long[] word = new long[1 << 12];
  private int[] stamp = new int[1 << 12];
  private int[] writer = new int[1 << 12];
  private int[] writeEpoch = new int[1 << 12];
  private int[] reader = new int[1 << 12];
  private int[] readEpoch = new int[1 << 12];
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
      writeEpoch[i] = 0;
      readEpoch[i] = 0;
    }
    return i;
  }

  private void grow() {
    long[] oldWord = word;
    int[] oldStamp = stamp;
    int[] oldWriter = writer;
    int[] oldWriteEpoch = writeEpoch;
    int[] oldReader = reader;
    int[] oldReadEpoch = readEpoch;
    int n = oldWord.length * 2;
    word = new long[n];
    stamp = new int[n];
    writer = new int[n];
    writeEpoch = new int[n];
    reader = new int[n];
    readEpoch = new int[n];
    size = 0;
    for (int i = 0; i < oldWord.length; i++) {
      if (oldStamp[i] == generation) {
        size++;
        int mask = n - 1;
        int j = (int) (oldWord[i] * 0x9E3779B97F4A7C15L >>> 40) & mask;
        while (stamp[j] == generation) {
          j = (j + 1) & mask;
        }
        stamp[j] = generation;
        word[j] = oldWord[i];
        writer[j] = oldWriter[i];
        writeEpoch[j] = oldWriteEpoch[i];
        reader[j] = oldReader[i];
        readEpoch[j] = oldReadEpoch[i];
      }
    }
    Arrays.fill(oldStamp, 0);
  }

  /** Thread {@code tid} reads [address, address + bytes) in barrier interval {@code epoch}. */
  void read(long address, int bytes, int tid, int epoch, int lane) {
    int me = tid + 1;
    for (long w = address >> 2, end = (address + bytes + 3) >> 2; w < end; w++) {
      int i = slot(w);
      if (writeEpoch[i] == epoch && writer[i] != me) {
        throw race("read-after-write", w << 2, writer[i] - 1, lane);
      }
      if (readEpoch[i] != epoch) {
        readEpoch[i] = epoch;
        reader[i] = me;
      } else if (reader[i] != me) {
        reader[i] = MANY;
      }
    }
  }

  /** Thread {@code tid} writes [address, address + bytes) in barrier interval {@code epoch}. */
  void write(long address, int bytes, int tid, int epoch, int lane) {
    int me = tid + 1;
    for (long w = address >> 2, end = (address + bytes + 3) >> 2; w < end; w++) {
      int i = slot(w);
      if (writeEpoch[i] == epoch && writer[i] != me) {
        throw race("write-after-write", w << 2, writer[i] - 1, lane);
      }
      if (readEpoch[i] == epoch && reader[i] != me) {
        throw race("write-after-read", w << 2, reader[i] == MANY ? -1 : reader[i] - 1, lane);
      }
      writer[i] = me;
      writeEpoch[i] = epoch;
    }
  }

  private static Violation race(String hazard, long address, int other, int lane) {
    return new Violation(KernelFault.LAUNCH_FAILED, lane, String.format(
        "global-memory race (%s hazard) at 0x%x with %s of this CTA between two barriers",
        hazard, address, other < 0 ? "other threads" : "thread " + other));
  }
}
