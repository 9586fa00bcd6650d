package org.gpuattest.kernels.cuda;

/**
 * A place in device memory: an allocation (opaque to everyone but the driver that made it) and
 * a byte offset into it, so a kernel can be handed one slot of a larger buffer.
 */
public final class DevicePointer {
  private final Object allocation;
  private final long offset;
  private final long bytes;

  public DevicePointer(Object allocation, long bytes) {
    this(allocation, 0, bytes);
  }

  private DevicePointer(Object allocation, long offset, long bytes) {
    this.allocation = allocation;
    this.offset = offset;
    this.bytes = bytes;
  }

  /** The allocation this points into, as its driver made it. */
  public Object allocation() {
    return allocation;
  }

  public long offset() {
    return offset;
  }

  /** Bytes from here to the end of the allocation. */
  public long bytes() {
    return bytes;
  }

  /** The pointer {@code delta} bytes further on, within the same allocation. */
  public DevicePointer plus(long delta) {
    if (delta < 0 || delta > bytes) {
      throw new IllegalArgumentException("offset " + delta + " is outside " + bytes + " bytes");
    }
    return new DevicePointer(allocation, offset + delta, bytes - delta);
  }
}
