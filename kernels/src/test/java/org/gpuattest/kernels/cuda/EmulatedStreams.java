package org.gpuattest.kernels.cuda;

import java.util.List;
import org.gpuattest.kernels.cuda.CudaDriver.Event;
import org.gpuattest.kernels.cuda.CudaDriver.Stream;
import org.gpuattest.kernels.cuda.FakeStreams.FakeEvent;
import org.gpuattest.kernels.cuda.FakeStreams.FakeStream;

/**
 * The stream and event calls of {@link EmulatedCudaDriver}, on each GPU's {@link FakeStreams}:
 * work runs, in an order the events allow, when a stream is waited for; an event records the
 * GPU's virtual time when its stream gets to it, and cuEventElapsedTime wants both records
 * run (CUDA_ERROR_NOT_READY before, CUDA_ERROR_INVALID_HANDLE for one never recorded, as
 * cuda.h says). Each call takes its GPU's lock, then the driver's ({@link EmulatedDevice}).
 */
final class EmulatedStreams {
  /** cuda.h: cuEventElapsedTime on an event whose record has not run yet. */
  static final int NOT_READY = 600;

  /** The driver's lock, which guards {@link #contexts}. */
  private final Object books;
  private final FakeContexts contexts;
  private final List<EmulatedDevice> gpus;

  EmulatedStreams(Object books, FakeContexts contexts, List<EmulatedDevice> gpus) {
    this.books = books;
    this.contexts = contexts;
    this.gpus = gpus;
  }

  /** The stream, if it is live and GPU {@code ordinal}'s. */
  FakeStream live(String call, Stream stream, int ordinal) throws CudaException {
    FakeStream s;
    synchronized (books) {
      s = contexts.live(call, stream.handle(), FakeStream.class, CudaException.INVALID_HANDLE);
    }
    if (s.ordinal() != ordinal) {
      throw EmulatedCudaDriver.error(call, CudaException.INVALID_HANDLE,
          "a stream of GPU " + s.ordinal());
    }
    return s;
  }

  private FakeEvent liveEvent(String call, Event event) throws CudaException {
    synchronized (books) {
      return contexts.live(call, event.handle(), FakeEvent.class, CudaException.INVALID_HANDLE);
    }
  }

  Stream create(int ordinal) {
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      FakeStream x = d.streams.create(ordinal);
      synchronized (books) {
        contexts.hold(x, ordinal);
      }
      return new Stream(x);
    }
  }

  /** As cuStreamDestroy: work already queued on the stream still runs. */
  void destroy(Stream stream) throws CudaException {
    FakeStream x = (FakeStream) stream.handle();
    EmulatedDevice d = gpus.get(x.ordinal());
    synchronized (d) {
      synchronized (books) {
        contexts.giveBack("cuStreamDestroy", x, x.ordinal(), CudaException.INVALID_HANDLE);
      }
      d.streams.drain(x, contexts.poisoned(), d.schedule);
      d.streams.remove(x);
    }
  }

  void waitEvent(int ordinal, Stream stream, Event event) throws CudaException {
    String call = "cuStreamWaitEvent";
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      live(call, stream, ordinal).waitFor(liveEvent(call, event));
    }
  }

  /** Runs the GPU's queued work until {@code stream} (null: every stream) is empty. */
  void drain(String call, int ordinal, Stream stream) throws CudaException {
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      d.streams.drain(stream == null ? null : live(call, stream, ordinal), contexts.poisoned(),
          d.schedule);
      synchronized (books) {
        contexts.checkPoison(call, ordinal);
      }
    }
  }

  Event createEvent(int ordinal) {
    FakeEvent e = new FakeEvent(ordinal);
    synchronized (books) {
      contexts.hold(e, ordinal);
    }
    return new Event(e);
  }

  void record(int ordinal, Event event, Stream stream) throws CudaException {
    String call = "cuEventRecord";
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      FakeEvent e = liveEvent(call, event);
      if (e.ordinal() != ordinal) {
        throw EmulatedCudaDriver.error(call, CudaException.INVALID_HANDLE,
            "an event of GPU " + e.ordinal());
      }
      live(call, stream, ordinal).record(e);
    }
  }

  /** From the events' virtual times. */
  float elapsedMillis(int ordinal, Event start, Event end) throws CudaException {
    String call = "cuEventElapsedTime";
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      FakeEvent a = liveEvent(call, start);
      FakeEvent b = liveEvent(call, end);
      if (!a.recorded() || !b.recorded()) {
        throw EmulatedCudaDriver.error(call, CudaException.INVALID_HANDLE,
            "an event never recorded");
      }
      if (!a.completed() || !b.completed()) {
        throw EmulatedCudaDriver.error(call, NOT_READY, "");
      }
      return (b.nanos() - a.nanos()) / 1e6f;
    }
  }

  void destroyEvent(Event event) throws CudaException {
    FakeEvent e = (FakeEvent) event.handle();
    synchronized (books) {
      contexts.giveBack("cuEventDestroy", e, e.ordinal(), CudaException.INVALID_HANDLE);
    }
  }
}
