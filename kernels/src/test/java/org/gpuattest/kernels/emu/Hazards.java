package org.gpuattest.kernels.emu;

import java.util.Arrays;

/**
 * Racecheck's bookkeeping for a set of 4-byte words (a CTA's shared memory, the global words a
 * CTA touches): which thread last wrote each word and in which barrier interval (epoch), and
 * which thread read it in the current one, or that several did. Two threads touching one word
 * in one interval, at least one writing, is a hazard: read-after-write, write-after-write or
 * write-after-read. Threads are numbered from 1 here (0: none).
 */
final class Hazards {
  private static final int MANY = -1;

  private int[] writer;
  private int[] writeEpoch;
  private int[] reader;
  private int[] readEpoch;
  private final String space;

  Hazards(int words, String space) {
    writer = new int[words];
    writeEpoch = new int[words];
    reader = new int[words];
    readEpoch = new int[words];
    this.space = space;
  }

  int capacity() {
    return writer.length;
  }

  /** Forgets words [from, to): never written, never read. */
  void clear(int from, int to) {
    Arrays.fill(writeEpoch, from, to, 0);
    Arrays.fill(readEpoch, from, to, 0);
  }

  /** Whether any thread ever wrote word {@code i}. */
  boolean written(int i) {
    return writeEpoch[i] != 0;
  }

  /** Thread {@code me} reads word {@code i} (at {@code address}) in interval {@code epoch}. */
  void read(int i, int me, int epoch, long address, int lane) {
    if (writeEpoch[i] == epoch && writer[i] != me) {
      throw race("read-after-write", address, writer[i], lane);
    }
    if (readEpoch[i] != epoch) {
      readEpoch[i] = epoch;
      reader[i] = me;
    } else if (reader[i] != me) {
      reader[i] = MANY;
    }
  }

  /** Checks that thread {@code me} may write word {@code i} now, without writing it. */
  void checkWrite(int i, int me, int epoch, long address, int lane) {
    if (writeEpoch[i] == epoch && writer[i] != me) {
      throw race("write-after-write", address, writer[i], lane);
    }
    if (readEpoch[i] == epoch && reader[i] != me) {
      throw race("write-after-read", address, reader[i], lane);
    }
  }

  /** Thread {@code me} wrote word {@code i} in interval {@code epoch}. */
  void markWritten(int i, int me, int epoch) {
    writer[i] = me;
    writeEpoch[i] = epoch;
  }

  /** Copies word {@code i}'s record into word {@code j} of {@code to}. */
  void copy(int i, Hazards to, int j) {
    to.writer[j] = writer[i];
    to.writeEpoch[j] = writeEpoch[i];
    to.reader[j] = reader[i];
    to.readEpoch[j] = readEpoch[i];
  }

  private Violation race(String hazard, long address, int other, int lane) {
    return new Violation(KernelFault.LAUNCH_FAILED, lane, String.format(
        "%s-memory race (%s hazard) at 0x%x with %s between two barriers", space, hazard,
        address, other == MANY ? "other threads" : "thread " + (other - 1)));
  }
}
