package org.gpuattest.service.store;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A multiset of doubles that adds, removes and finds its k-th least value in O(log n) expected
 * time, so a median is kept as values come and go instead of sorted again: a treap with subtree
 * sizes [1], its nodes in primitive arrays (about 24 bytes a value). Ordered by {@link
 * Double#compare}, as {@code List<Double>.sort} orders them ({@code FleetReport.median}).
 * Not thread-safe: {@link RunningMedians} guards it.
 *
 * <p>[1] R. Seidel and C. R. Aragon, "Randomized search trees", Algorithmica 16 (1996):
 * split and merge by priority; a node's size is its subtree's.
 */
final class RankedDoubles {
  private static final int NIL = 0; // node 0 is no node: its size is 0

  private double[] value = new double[16];
  private int[] left = new int[16];
  private int[] right = new int[16];
  private int[] size = new int[16];
  private int[] priority = new int[16];
  private int root = NIL;
  private int used = 1; // nodes 1 .. used - 1 were handed out
  private int free = NIL; // freed nodes, linked by left[]
  // Deterministic, so a run can be repeated; the order of the values is not the adversary's.
  private final SplittableRandom random = new SplittableRandom(0x5eed);
  // split's two results
  private int below;
  private int above;

  int size() {
    return size[root];
  }

  void add(double x) {
    int n = node(x);
    split(root, x, true);
    int less = below;
    int more = above;
    root = merge(merge(less, n), more);
  }

  /** Removes one {@code x}; false when there is none. */
  boolean remove(double x) {
    split(root, x, false);
    int less = below;
    split(above, x, true);
    int equal = below;
    int more = above;
    if (equal == NIL) {
      root = merge(less, more);
      return false;
    }
    int rest = merge(left[equal], right[equal]);
    left[equal] = free;
    free = equal;
    root = merge(merge(less, rest), more);
    return true;
  }

  /** The value of rank {@code k}, 0 the least. */
  double get(int k) {
    if (k < 0 || k >= size()) {
      throw new IndexOutOfBoundsException("rank " + k + " of " + size());
    }
    int t = root;
    while (true) {
      int l = size[left[t]];
      if (k < l) {
        t = left[t];
      } else if (k == l) {
        return value[t];
      } else {
        k -= l + 1;
        t = right[t];
      }
    }
  }

  /** As FleetReport.median: the middle value, or the mean of the two middle ones; null: none. */
  Double median() {
    int n = size();
    if (n == 0) {
      return null;
    }
    return n % 2 == 1 ? get(n / 2) : (get(n / 2 - 1) + get(n / 2)) / 2;
  }

  private int node(double x) {
    int n;
    if (free != NIL) {
      n = free;
      free = left[n];
    } else {
      if (used == value.length) {
        int grown = value.length * 2;
        value = Arrays.copyOf(value, grown);
        left = Arrays.copyOf(left, grown);
        right = Arrays.copyOf(right, grown);
        size = Arrays.copyOf(size, grown);
        priority = Arrays.copyOf(priority, grown);
      }
      n = used++;
    }
    value[n] = x;
    left[n] = NIL;
    right[n] = NIL;
    size[n] = 1;
    priority[n] = random.nextInt();
    return n;
  }

  /** Splits {@code t} into {@link #below} (values less than x, or at most x) and {@link #above}. */
  private void split(int t, double x, boolean orEqual) {
    if (t == NIL) {
      below = NIL;
      above = NIL;
      return;
    }
    int c = Double.compare(value[t], x);
    if (c < 0 || (orEqual && c == 0)) {
      split(right[t], x, orEqual);
      right[t] = below;
      resize(t);
      below = t;
    } else {
      split(left[t], x, orEqual);
      left[t] = above;
      resize(t);
      above = t;
    }
  }

  /** Joins {@code a} and {@code b}, every value of a at most every value of b. */
  private int merge(int a, int b) {
    if (a == NIL) {
      return b;
    }
    if (b == NIL) {
      return a;
    }
    if (priority[a] > priority[b]) {
      right[a] = merge(right[a], b);
      resize(a);
      return a;
    }
    left[b] = merge(a, left[b]);
    resize(b);
    return b;
  }

  private void resize(int t) {
    size[t] = 1 + size[left[t]] + size[right[t]];
  }
}
