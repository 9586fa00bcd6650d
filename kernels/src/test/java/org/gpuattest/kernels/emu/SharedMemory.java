package org.gpuattest.kernels.emu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A CTA's shared memory with the sanitizer's view of it, per 4-byte word: which thread last
 * wrote it and in which barrier interval (epoch), which thread(s) read it in the current one.
 * Like compute-sanitizer: memcheck (out of bounds, misaligned), initcheck (a read of a word no
 * thread wrote) and racecheck (two threads touching one word between two barriers, at least
 * one writing: read-after-write, write-after-read, write-after-write hazards).
 */
final class SharedMemory {
  static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  final byte[] data;
  int size;
  private final Hazards hazards;
  int epoch = 1;

  SharedMemory(int capacity) {
    data = new byte[capacity];
    hazards = new Hazards((capacity + 3) / 4, "shared");
  }

  /** Ready for a new CTA using {@code bytes} bytes: nothing written, nothing read. */
  void reset(int bytes) {
    size = bytes;
    hazards.clear(0, (bytes + 3) / 4);
    epoch = 1;
  }

  /** A barrier: later accesses are ordered after every earlier one. */
  void barrier() {
    epoch++;
  }

  private void check(long address, int bytes, int lane, String what) {
    if ((address & (bytes - 1)) != 0) {
      throw new Violation(KernelFault.MISALIGNED_ADDRESS, lane, String.format(
          "misaligned shared %s of %d bytes at 0x%x", what, bytes, address));
    }
    if (address < 0 || address + bytes > size) {
      throw new Violation(KernelFault.ILLEGAL_ADDRESS, lane, String.format(
          "out-of-bounds shared %s of %d bytes at 0x%x (the CTA has %d bytes)", what, bytes,
          address, size));
    }
  }

  /** Reads 4 or 8 bytes for thread {@code tid}, checking bounds, initialisation and races. */
  long load(long address, int bytes, int tid, int lane) {
    check(address, bytes, lane, "read");
    int a = (int) address;
    int me = tid + 1;
    for (int w = a >> 2, end = (a + bytes) >> 2; w < end; w++) {
      if (!hazards.written(w)) {
        throw new Violation(KernelFault.LAUNCH_FAILED, lane, String.format(
            "uninitialized shared read of %d bytes at 0x%x: no thread wrote it", bytes,
            address));
      }
      hazards.read(w, me, epoch, address, lane);
    }
    return bytes == 8 ? (long) LONG.get(data, a) : (long) (int) INT.get(data, a);
  }

  /** Checks that thread {@code tid} may write here now, without writing. */
  void checkWrite(long address, int bytes, int tid, int lane) {
    check(address, bytes, lane, "write");
    int a = (int) address;
    int me = tid + 1;
    for (int w = a >> 2, end = (a + bytes) >> 2; w < end; w++) {
      hazards.checkWrite(w, me, epoch, address, lane);
    }
  }

  /** Writes 4 or 8 bytes for thread {@code tid}. */
  void store(long address, int bytes, long value, int tid, int lane) {
    checkWrite(address, bytes, tid, lane);
    int a = (int) address;
    mark(a, bytes, tid);
    if (bytes == 8) {
      LONG.set(data, a, value);
    } else {
      INT.set(data, a, (int) value);
    }
  }

  /** Writes a cp.async copy's bytes as thread {@code tid}, when it lands. */
  void land(int address, byte[] from, int offset, int bytes, int tid, int lane) {
    checkWrite(address, bytes, tid, lane);
    mark(address, bytes, tid);
    System.arraycopy(from, offset, data, address, bytes);
  }

  private void mark(int a, int bytes, int tid) {
    for (int w = a >> 2, end = (a + bytes) >> 2; w < end; w++) {
      hazards.markWritten(w, tid + 1, epoch);
    }
  }
}
