package org.gpuattest.kernels.emu;

import java.util.Map;
import java.util.TreeMap;

/**
 * An emulated GPU's global memory: allocations in one 64-bit address space, each its own byte
 * array, with a capacity past which allocation fails as cuMemAlloc does (out of memory). The
 * interpreter finds the allocation an access falls in ({@link #segment}); an access outside
 * every live allocation is the sanitizer's out-of-bounds fault. Not thread-safe: one launch at
 * a time touches it (the driver serialises a GPU's work).
 */
public final class DeviceMemory {
  /** Allocations start on 256-byte boundaries, as cuMemAlloc's do. */
  public static final int ALIGNMENT = 256;
  /** Addresses start here, so that a null or small pointer is never valid. */
  private static final long FIRST = 0x7f00_0000_0000L;
  /** A gap between allocations, so that running off one end never lands in the next. */
  private static final long GUARD = 1L << 20;

  /** One live allocation. */
  public static final class Segment {
    public final long base;
    public final byte[] bytes;

    Segment(long base, byte[] bytes) {
      this.base = base;
      this.bytes = bytes;
    }

    public long end() {
      return base + bytes.length;
    }
  }

  private final long capacity;
  private final TreeMap<Long, Segment> live = new TreeMap<>();
  private long used;
  private long next;

  public DeviceMemory(long capacityBytes) {
    this(capacityBytes, 0);
  }

  /**
   * The memory of GPU {@code ordinal}: its addresses start 2^40 bytes past the previous GPU's,
   * so that a pointer from one GPU never lands in another's allocation.
   */
  public DeviceMemory(long capacityBytes, int ordinal) {
    if (capacityBytes <= 0 || ordinal < 0 || ordinal > 63) {
      throw new IllegalArgumentException("capacity " + capacityBytes + ", GPU " + ordinal);
    }
    this.capacity = capacityBytes;
    this.next = FIRST + ((long) ordinal << 40);
  }

  public long capacity() {
    return capacity;
  }

  public long usedBytes() {
    return used;
  }

  public int liveCount() {
    return live.size();
  }

  /**
   * A new zeroed allocation of {@code bytes} bytes; its address.
   *
   * @throws OutOfDeviceMemoryException past the capacity, or past what one Java array holds
   */
  public long allocate(long bytes) throws OutOfDeviceMemoryException {
    if (bytes <= 0) {
      throw new IllegalArgumentException("allocation of " + bytes + " bytes");
    }
    if (bytes > capacity - used || bytes > Integer.MAX_VALUE - 16) {
      throw new OutOfDeviceMemoryException(bytes, capacity - used);
    }
    long base = next;
    live.put(base, new Segment(base, new byte[(int) bytes]));
    used += bytes;
    next = (base + bytes + GUARD + ALIGNMENT - 1) & -ALIGNMENT;
    return base;
  }

  /** Frees the allocation starting at {@code address}; false if none starts there. */
  public boolean free(long address) {
    Segment s = live.remove(address);
    if (s == null) {
      return false;
    }
    used -= s.bytes.length;
    return true;
  }

  /** The live allocation holding all of [address, address + size), or null. */
  public Segment segment(long address, long size) {
    Map.Entry<Long, Segment> e = live.floorEntry(address);
    if (e == null) {
      return null;
    }
    Segment s = e.getValue();
    return address + size <= s.end() && address + size >= address ? s : null;
  }

  /** Copies bytes out (cuMemcpyDtoH). */
  public void read(long address, byte[] dst) {
    Segment s = require(address, dst.length);
    System.arraycopy(s.bytes, (int) (address - s.base), dst, 0, dst.length);
  }

  /** Copies bytes in (cuMemcpyHtoD). */
  public void write(long address, byte[] src) {
    Segment s = require(address, src.length);
    System.arraycopy(src, 0, s.bytes, (int) (address - s.base), src.length);
  }

  /** Sets bytes to {@code value} (cuMemsetD8). */
  public void fill(long address, long bytes, byte value) {
    Segment s = require(address, bytes);
    java.util.Arrays.fill(s.bytes, (int) (address - s.base), (int) (address - s.base + bytes),
        value);
  }

  private Segment require(long address, long size) {
    Segment s = segment(address, size);
    if (s == null) {
      throw new IllegalArgumentException(String.format(
          "0x%x + %d bytes is not inside one live allocation", address, size));
    }
    return s;
  }
}
