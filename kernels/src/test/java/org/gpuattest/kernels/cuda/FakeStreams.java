package org.gpuattest.kernels.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The streams and events of {@link FakeCudaDriver}: each stream a queue of work, run only when
 * someone waits on it. A real GPU runs two streams' work in any order their events allow; so
 * does this fake. Work is queued per stream and run, at a synchronize or a copy, by a scheduler
 * that picks at random (from a seed) among the streams whose next item may run. A missing
 * cuStreamWaitEvent then shows as wrong bits under some seed, as it would on a GPU under some
 * timing. An event records the time of a clock it is given (System.nanoTime unless the driver
 * has a clock of its own, as the emulated GPU's virtual one). Not thread-safe: the driver calls
 * it under its own lock.
 */
final class FakeStreams {
  /** One stream's queue, on one GPU; a wait item may run once its event's record completed. */
  static final class FakeStream {
    private final int ordinal;
    private final LongSupplier clock;
    private final ArrayDeque<Item> items = new ArrayDeque<>();

    private FakeStream(int ordinal, LongSupplier clock) {
      this.ordinal = ordinal;
      this.clock = clock;
    }

    int ordinal() {
      return ordinal;
    }

    void add(Runnable work) {
      items.add(new Item(work, null, 0));
    }

    /** cuEventRecord: the event completes when the stream gets here. */
    void record(FakeEvent e) {
      int generation = ++e.recorded;
      items.add(new Item(() -> {
        e.nanos = clock.getAsLong();
        e.completed = generation;
      }, null, 0));
    }

    /** cuStreamWaitEvent: what follows waits for the event's record as of now. */
    void waitFor(FakeEvent e) {
      items.add(new Item(() -> {}, e, e.recorded));
    }
  }

  private record Item(Runnable work, FakeEvent waitFor, int generation) {
    boolean runnable() {
      return waitFor == null || waitFor.completed >= generation;
    }
  }

  /** An event on one GPU: how many records were queued, how many have run, when the last ran. */
  static final class FakeEvent {
    private final int ordinal;
    private int recorded;
    private int completed;
    private long nanos;

    FakeEvent(int ordinal) {
      this.ordinal = ordinal;
    }

    int ordinal() {
      return ordinal;
    }

    long nanos() {
      return nanos;
    }

    /** Whether it was recorded at least once. */
    boolean recorded() {
      return recorded > 0;
    }

    /** Whether its last record has run (cuEventQuery: CUDA_SUCCESS). */
    boolean completed() {
      return recorded > 0 && completed == recorded;
    }
  }

  private final List<FakeStream> streams = new ArrayList<>();
  private final LongSupplier clock;

  FakeStreams() {
    this(System::nanoTime);
  }

  /** Streams whose events record the time {@code clock} says when they complete. */
  FakeStreams(LongSupplier clock) {
    this.clock = clock;
  }

  FakeStream create(int ordinal) {
    FakeStream x = new FakeStream(ordinal, clock);
    streams.add(x);
    return x;
  }

  void remove(FakeStream x) {
    streams.remove(x);
  }

  /** A GPU's context ended: its streams are gone. */
  void removeAll(int ordinal) {
    streams.removeIf(x -> x.ordinal == ordinal);
  }

  /**
   * Runs queued work until {@code target} (or, when null, every stream) is empty, choosing
   * with {@code schedule}. The queues of a GPU in {@code poisoned} are dropped: nothing more
   * runs in a context a fault poisoned.
   */
  void drain(FakeStream target, Set<Integer> poisoned, Random schedule) {
    while (true) {
      for (FakeStream x : streams) {
        if (poisoned.contains(x.ordinal)) {
          x.items.clear();
        }
      }
      if (target == null ? streams.stream().allMatch(x -> x.items.isEmpty())
          : target.items.isEmpty()) {
        return;
      }
      List<FakeStream> ready = new ArrayList<>();
      for (FakeStream x : streams) {
        if (!x.items.isEmpty() && x.items.peek().runnable()) {
          ready.add(x);
        }
      }
      if (ready.isEmpty()) {
        throw new IllegalStateException("the fake GPU's streams wait on each other forever");
      }
      ready.get(schedule.nextInt(ready.size())).items.poll().work().run();
    }
  }
}
