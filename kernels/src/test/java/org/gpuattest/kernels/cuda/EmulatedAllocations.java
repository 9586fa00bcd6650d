package org.gpuattest.kernels.cuda;

import java.util.List;
import org.gpuattest.kernels.emu.OutOfDeviceMemoryException;

/**
 * Device memory for {@link EmulatedCudaDriver}: each allocation is one of its GPU's
 * {@link org.gpuattest.kernels.emu.DeviceMemory} segments, held by the context (FakeContexts),
 * so a reset frees it and a freed or foreign pointer is refused as cuMemFree, cuMemsetD8 and
 * cuMemcpyDtoH refuse it (CUDA_ERROR_INVALID_VALUE). Past the GPU's memory, cuMemAlloc's
 * CUDA_ERROR_OUT_OF_MEMORY. Each call takes its GPU's lock, then the driver's.
 */
final class EmulatedAllocations {
  /** A live allocation: where it starts in its GPU's memory. */
  record Allocation(long address, long bytes, int ordinal) {}

  /** The driver's lock, which guards {@link #contexts}. */
  private final Object books;
  private final FakeContexts contexts;
  private final List<EmulatedDevice> gpus;

  EmulatedAllocations(Object books, FakeContexts contexts, List<EmulatedDevice> gpus) {
    this.books = books;
    this.contexts = contexts;
    this.gpus = gpus;
  }

  DevicePointer allocate(int ordinal, long bytes) throws CudaException {
    if (bytes <= 0) {
      throw EmulatedCudaDriver.error("cuMemAlloc", CudaException.INVALID_VALUE, "");
    }
    EmulatedDevice d = gpus.get(ordinal);
    synchronized (d) {
      Allocation a;
      try {
        a = new Allocation(d.memory.allocate(bytes), bytes, ordinal);
      } catch (OutOfDeviceMemoryException e) {
        throw EmulatedCudaDriver.error("cuMemAlloc", CudaException.OUT_OF_MEMORY,
            e.getMessage());
      }
      d.allocations.add(a);
      synchronized (books) {
        contexts.hold(a, ordinal);
      }
      return new DevicePointer(a, bytes);
    }
  }

  void free(DevicePointer pointer) throws CudaException {
    Allocation a = (Allocation) pointer.allocation();
    if (pointer.offset() != 0) {
      throw EmulatedCudaDriver.error("cuMemFree", CudaException.INVALID_VALUE,
          "not the start of an allocation");
    }
    EmulatedDevice d = gpus.get(a.ordinal());
    synchronized (d) {
      synchronized (books) {
        contexts.giveBack("cuMemFree", a, a.ordinal(), CudaException.INVALID_VALUE);
      }
      d.allocations.remove(a);
      d.memory.free(a.address());
    }
  }

  /** The address of {@code p}, which must be live on GPU {@code ordinal} with {@code bytes}. */
  long address(String call, DevicePointer p, long bytes, int ordinal) throws CudaException {
    Allocation a = (Allocation) p.allocation();
    synchronized (books) {
      contexts.live(call, a, Allocation.class, CudaException.INVALID_VALUE);
    }
    if (a.ordinal() != ordinal || bytes < 0 || bytes > p.bytes()) {
      throw EmulatedCudaDriver.error(call, CudaException.INVALID_VALUE, bytes
          + " bytes at offset " + p.offset() + " of an allocation of " + a.bytes() + " on GPU "
          + a.ordinal());
    }
    return a.address() + p.offset();
  }

  /**
   * The address a kernel is given for {@code p}: where it is, live or not ({@code dead} says
   * why not), as a GPU takes any pointer and faults only when the kernel uses it.
   */
  long launchAddress(DevicePointer p, int ordinal, List<String> dead) {
    try {
      return address("cuLaunchKernel", p, 0, ordinal);
    } catch (CudaException e) {
      dead.add(e.getMessage());
      Allocation a = (Allocation) p.allocation();
      return a.address() + p.offset();
    }
  }
}
