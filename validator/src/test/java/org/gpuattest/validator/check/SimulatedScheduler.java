package org.gpuattest.validator.check;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.gpuattest.common.message.SmMonitor;

/**
 * An event-driven model of a GPU running one launch of the monitored product kernel, written
 * apart from the validator's ideal figures (IdealSchedule) to test them: a dispatcher places
 * each pending block, whenever a slot is free, on the SM with the fewest resident blocks
 * (ties: the lowest SM), up to {@code blocksPerSm}; each SM divides its throughput among its
 * resident blocks. It reads what the SM monitor reads (kernels/src/main/cuda/sm_monitor.cuh,
 * SmReadout): blocks per %smid, and summed block durations / (SMs x blocksPerSm x kernel
 * time).
 *
 * <p>{@code saturation} is the number of resident blocks at which an SM reaches its full
 * throughput: with blocksPerSm every block takes the same time whatever runs beside it (the
 * ideal scheduler's assumption); with 1 an SM runs as fast with one block as with many, so a
 * block alone in the last wave finishes sooner. {@code jitter} spreads each block's work over
 * [1 - jitter, 1 + jitter] and each SM's speed over [1 - jitter/2, 1 + jitter/2], from a
 * fixed seed.
 */
final class SimulatedScheduler {
  private final int[] ids;
  private final int perSm;
  private final int saturation;
  private final double[] speed;
  private final double[][] remaining;
  private final double[][] started;
  private final int[] resident;
  private final double[] updated;
  /** Bit i of word (level, i / 64): SM i holds {@code level} blocks. */
  private final long[][] byLevel;
  private final IndexedHeap heap;

  private SimulatedScheduler(int[] ids, int perSm, int saturation, double[] speed) {
    this.ids = ids;
    this.perSm = perSm;
    this.saturation = saturation;
    this.speed = speed;
    int sms = ids.length;
    remaining = new double[sms][perSm];
    started = new double[sms][perSm];
    resident = new int[sms];
    updated = new double[sms];
    byLevel = new long[perSm + 1][(sms + 63) / 64];
    for (int sm = 0; sm < sms; sm++) {
      byLevel[0][sm >> 6] |= 1L << sm;
    }
    heap = new IndexedHeap(sms);
  }

  /**
   * What the monitor reads after one launch of {@code blocks} blocks on SMs with these
   * {@code ids} (%smid of SM 0, 1, ...; they may be sparse).
   */
  static SmMonitor run(long blocks, int[] ids, int perSm, int saturation, double jitter,
      long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] speed = new double[ids.length];
    for (int sm = 0; sm < speed.length; sm++) {
      speed[sm] = 1 + jitter * (random.nextDouble() - 0.5);
    }
    return new SimulatedScheduler(ids, perSm, saturation, speed).launch(blocks, jitter, random);
  }

  private SmMonitor launch(long blocks, double jitter, SplittableRandom random) {
    long[] perId = new long[Arrays.stream(ids).max().orElseThrow() + 1];
    long pending = blocks;
    double busy = 0;
    double now = 0;
    while (pending > 0 && leastLoaded() >= 0) {
      place(leastLoaded(), now, work(jitter, random));
      pending--;
    }
    while (heap.size() > 0) {
      now = heap.key(heap.peek());
      // Every block that ends now frees its slot before any waiting block is placed: the
      // dispatcher sees all free slots at once, as the ideal scheduler does.
      while (heap.size() > 0 && heap.key(heap.peek()) <= now * (1 + 1e-12)) {
        int sm = heap.peek();
        advance(sm, now);
        int done = 0;
        for (int b = 1; b < resident[sm]; b++) {
          if (remaining[sm][b] < remaining[sm][done]) {
            done = b;
          }
        }
        busy += now - started[sm][done];
        perId[ids[sm]]++;
        int last = resident[sm] - 1;
        remaining[sm][done] = remaining[sm][last];
        started[sm][done] = started[sm][last];
        setResident(sm, last);
        reschedule(sm);
      }
      while (pending > 0 && leastLoaded() >= 0) {
        int to = leastLoaded();
        advance(to, now);
        place(to, now, work(jitter, random));
        pending--;
      }
    }
    double capacity = (double) ids.length * perSm * now;
    return new SmMonitor(perId, Math.min(1.0, busy / capacity));
  }

  private static double work(double jitter, SplittableRandom random) {
    return 1 + jitter * (2 * random.nextDouble() - 1);
  }

  /** Work per unit time of each block on {@code sm} while it holds {@code k}. */
  private double rate(int sm, int k) {
    return speed[sm] * Math.min(k, saturation) / ((double) saturation * k);
  }

  private void advance(int sm, double now) {
    int k = resident[sm];
    if (k > 0) {
      double done = (now - updated[sm]) * rate(sm, k);
      for (int b = 0; b < k; b++) {
        remaining[sm][b] -= done;
      }
    }
    updated[sm] = now;
  }

  private void place(int sm, double now, double work) {
    int k = resident[sm];
    remaining[sm][k] = work;
    started[sm][k] = now;
    updated[sm] = now;
    setResident(sm, k + 1);
    reschedule(sm);
  }

  /** Its next completion: the least remaining work at the current rate. */
  private void reschedule(int sm) {
    int k = resident[sm];
    if (k == 0) {
      heap.remove(sm);
      return;
    }
    double least = Double.POSITIVE_INFINITY;
    for (int b = 0; b < k; b++) {
      least = Math.min(least, remaining[sm][b]);
    }
    heap.set(sm, updated[sm] + Math.max(0, least) / rate(sm, k));
  }

  private void setResident(int sm, int k) {
    byLevel[resident[sm]][sm >> 6] &= ~(1L << sm);
    resident[sm] = k;
    byLevel[k][sm >> 6] |= 1L << sm;
  }

  /** The lowest SM among those with the fewest resident blocks, or -1 when all are full. */
  private int leastLoaded() {
    for (int level = 0; level < perSm; level++) {
      long[] words = byLevel[level];
      for (int w = 0; w < words.length; w++) {
        if (words[w] != 0) {
          return (w << 6) + Long.numberOfTrailingZeros(words[w]);
        }
      }
    }
    return -1;
  }

  /** A binary min-heap of SMs keyed by their next completion time, updatable per SM. */
  private static final class IndexedHeap {
    private final int[] heap;
    private final int[] position;
    private final double[] key;
    private int size;

    IndexedHeap(int capacity) {
      heap = new int[capacity];
      position = new int[capacity];
      key = new double[capacity];
      Arrays.fill(position, -1);
    }

    int size() {
      return size;
    }

    int peek() {
      return heap[0];
    }

    double key(int item) {
      return key[item];
    }

    void set(int item, double k) {
      key[item] = k;
      if (position[item] < 0) {
        position[item] = size;
        heap[size++] = item;
      }
      up(position[item]);
      down(position[item]);
    }

    void remove(int item) {
      int p = position[item];
      if (p < 0) {
        return;
      }
      int last = heap[--size];
      position[item] = -1;
      if (p < size) {
        heap[p] = last;
        position[last] = p;
        up(p);
        down(position[last]);
      }
    }

    private void up(int p) {
      while (p > 0) {
        int parent = (p - 1) / 2;
        if (!less(heap[p], heap[parent])) {
          return;
        }
        swap(p, parent);
        p = parent;
      }
    }

    private void down(int p) {
      while (true) {
        int least = p;
        for (int c = 2 * p + 1; c <= 2 * p + 2 && c < size; c++) {
          if (less(heap[c], heap[least])) {
            least = c;
          }
        }
        if (least == p) {
          return;
        }
        swap(p, least);
        p = least;
      }
    }

    /** Earlier first; ties by the lower SM, so equal times complete in SM order. */
    private boolean less(int a, int b) {
      return key[a] < key[b] || (key[a] == key[b] && a < b);
    }

    private void swap(int i, int j) {
      int a = heap[i];
      heap[i] = heap[j];
      heap[j] = a;
      position[heap[i]] = i;
      position[heap[j]] = j;
    }
  }
}
