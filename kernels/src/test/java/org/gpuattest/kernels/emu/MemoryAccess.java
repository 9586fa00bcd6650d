package org.gpuattest.kernels.emu;

import static java.lang.Integer.numberOfTrailingZeros;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The interpreter's memory instructions over the lanes of a warp-instruction: ld.param,
 * ld/st.global, atom.global.add, ld/st.shared, cp.async and its wait_group, each access checked
 * by the sanitizer (bounds, alignment, initialisation, races) before it happens, and counted
 * when counts are on.
 */
final class MemoryAccess {
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long U32 = 0xffff_ffffL;

  private final Cta cta;
  private final DeviceMemory memory;
  private final SharedMemory shared;
  private final GlobalRaces races;
  /** The allocation the last global access fell in: most accesses fall in it again. */
  private DeviceMemory.Segment segment;
  private final int[] laneAddress = new int[32];

  MemoryAccess(Cta cta) {
    this.cta = cta;
    this.memory = cta.memory;
    this.shared = cta.shared;
    this.races = cta.globalRaces;
  }

  void loadParam(Insn in, long[] r, int d, int m) {
    int index = in.a;
    int size = in.b;
    int paramSize = in.c;
    long off = in.imm;
    if (off < 0 || off + size > paramSize || (off & (size - 1)) != 0) {
      throw new Violation(KernelFault.ILLEGAL_ADDRESS, numberOfTrailingZeros(m), String.format(
          "out-of-bounds or misaligned param read of %d bytes at offset %d of a %d-byte"
              + " parameter", size, off, paramSize));
    }
    long v = cta.args[index] >>> (8 * off);
    v = size == 4 ? (long) (int) v : v;
    for (int mm = m; mm != 0; mm &= mm - 1) {
      r[d + numberOfTrailingZeros(mm)] = v;
    }
  }

  /** The allocation holding [address, address + bytes), checked for alignment and bounds. */
  private DeviceMemory.Segment global(long address, int bytes, int lane, String what) {
    if ((address & (bytes - 1)) != 0) {
      throw new Violation(KernelFault.MISALIGNED_ADDRESS, lane, String.format(
          "misaligned global %s of %d bytes at 0x%x", what, bytes, address));
    }
    DeviceMemory.Segment g = segment;
    if (g == null || address < g.base || address + bytes > g.base + g.bytes.length) {
      g = memory.segment(address, bytes);
      if (g == null) {
        throw new Violation(KernelFault.ILLEGAL_ADDRESS, lane, String.format(
            "out-of-bounds global %s of %d bytes at 0x%x: in no live allocation", what, bytes,
            address));
      }
      segment = g;
    }
    return g;
  }

  void loadGlobal(Insn in, Warp w, long[] r, int a, int m, long[] counts) {
    int size = in.a;
    int vec = in.b;
    int[] ds = in.dsts;
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long address = r[a + l] + in.imm;
      DeviceMemory.Segment g = global(address, size * vec, l, "read");
      races.read(address, size * vec, w.firstThread + l, shared.epoch, l);
      int off = (int) (address - g.base);
      for (int k = 0; k < vec; k++) {
        r[(ds[k] << 5) + l] = size == 8 ? (long) LONG.get(g.bytes, off + 8 * k)
            : (long) (int) INT.get(g.bytes, off + 4 * k);
      }
    }
    if (counts != null) {
      counts[figure(LaunchCounts.Figure.GLOBAL_BYTES_READ)] +=
          (long) Integer.bitCount(m) * size * vec;
    }
  }

  void storeGlobal(Insn in, Warp w, long[] r, int[] s, int m, long[] counts) {
    int size = in.a;
    int vec = in.b;
    int a = s[0] << 5;
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long address = r[a + l] + in.imm;
      DeviceMemory.Segment g = global(address, size * vec, l, "write");
      races.write(address, size * vec, w.firstThread + l, shared.epoch, l);
      int off = (int) (address - g.base);
      for (int k = 0; k < vec; k++) {
        long v = r[(s[k + 1] << 5) + l];
        if (size == 8) {
          LONG.set(g.bytes, off + 8 * k, v);
        } else {
          INT.set(g.bytes, off + 4 * k, (int) v);
        }
      }
    }
    if (counts != null) {
      counts[figure(LaunchCounts.Figure.GLOBAL_BYTES_WRITTEN)] +=
          (long) Integer.bitCount(m) * size * vec;
    }
  }

  void atomicAdd(Insn in, long[] r, int d, int a, int b, int m, long[] counts) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long address = r[a + l] + in.imm;
      DeviceMemory.Segment g = global(address, 8, l, "atomic");
      int off = (int) (address - g.base);
      long old = (long) LONG.get(g.bytes, off);
      LONG.set(g.bytes, off, old + r[b + l]);
      r[d + l] = old;
    }
    if (counts != null) {
      counts[figure(LaunchCounts.Figure.GLOBAL_BYTES_READ)] += 8L * Integer.bitCount(m);
      counts[figure(LaunchCounts.Figure.GLOBAL_BYTES_WRITTEN)] += 8L * Integer.bitCount(m);
    }
  }

  void loadShared(Insn in, Warp w, long[] r, int a, int m, long[] counts) {
    int size = in.a;
    int vec = in.b;
    int[] ds = in.dsts;
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long address = (r[a + l] & U32) + in.imm;
      laneAddress[l] = (int) address;
      if ((address & (size * vec - 1)) != 0) {
        throw new Violation(KernelFault.MISALIGNED_ADDRESS, l, String.format(
            "misaligned shared read of %d bytes at 0x%x", size * vec, address));
      }
      for (int k = 0; k < vec; k++) {
        r[(ds[k] << 5) + l] = shared.load(address + (long) size * k, size, w.firstThread + l, l);
      }
    }
    if (counts != null) {
      counts[figure(LaunchCounts.Figure.SHARED_BANK_CONFLICTS)] +=
          BankConflicts.extraWavefronts(laneAddress, m, size * vec);
    }
  }

  void storeShared(Insn in, Warp w, long[] r, int[] s, int m, long[] counts) {
    int size = in.a;
    int vec = in.b;
    int a = s[0] << 5;
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long address = (r[a + l] & U32) + in.imm;
      laneAddress[l] = (int) address;
      if ((address & (size * vec - 1)) != 0) {
        throw new Violation(KernelFault.MISALIGNED_ADDRESS, l, String.format(
            "misaligned shared write of %d bytes at 0x%x", size * vec, address));
      }
      for (int k = 0; k < vec; k++) {
        shared.store(address + (long) size * k, size, r[(s[k + 1] << 5) + l],
            w.firstThread + l, l);
      }
    }
    if (counts != null) {
      counts[figure(LaunchCounts.Figure.SHARED_BANK_CONFLICTS)] +=
          BankConflicts.extraWavefronts(laneAddress, m, size * vec);
    }
  }

  /**
   * cp.async (Data Movement and Conversion Instructions: cp.async): checked when issued, as memcheck would, but it lands only at the
   * cp.async.wait_group that covers its group: the latest the ISA allows, so that a read of the
   * stage before its wait sees what was there before. Racecheck holds the shared write to both
   * ends of that window.
   */
  void copyAsync(Insn in, Warp w, long[] r, int a, int b, int m, long[] counts) {
    int size = in.a;
    for (int mm = m; mm != 0; mm &= mm - 1) {
      int l = numberOfTrailingZeros(mm);
      long dst = (r[a + l] & U32) + in.imm;
      long src = r[b + l] + in.b;
      global(src, size, l, "read (cp.async source)");
      shared.checkWrite(dst, size, w.firstThread + l, l);
      w.addCopy(l, (int) dst, src, size);
    }
    if (counts != null) {
      counts[figure(LaunchCounts.Figure.CP_ASYNC_BYTES)] += (long) Integer.bitCount(m) * size;
      counts[figure(LaunchCounts.Figure.GLOBAL_BYTES_READ)] += (long) Integer.bitCount(m) * size;
    }
  }

  /** cp.async.commit_group: closes, per lane, the group of the copies issued since the last. */
  void commitGroup(Warp w, int m) {
    for (int mm = m; mm != 0; mm &= mm - 1) {
      w.committed[numberOfTrailingZeros(mm)]++;
    }
  }

  /** cp.async.wait_group n: lands, per lane, every copy of all but its n latest groups. */
  void waitGroup(Warp w, int n, int m) {
    int kept = 0;
    for (int i = 0; i < w.copies; i++) {
      int l = w.copyLane[i];
      if ((m >>> l & 1) != 0 && w.copyGroup[i] < w.committed[l] - n) {
        long src = w.copyGlobal[i];
        DeviceMemory.Segment g = global(src, w.copySize[i], l, "read (cp.async source)");
        races.read(src, w.copySize[i], w.firstThread + l, shared.epoch, l);
        shared.land(w.copyShared[i], g.bytes, (int) (src - g.base), w.copySize[i],
            w.firstThread + l, l);
      } else {
        w.copyLane[kept] = l;
        w.copyGroup[kept] = w.copyGroup[i];
        w.copyShared[kept] = w.copyShared[i];
        w.copySize[kept] = w.copySize[i];
        w.copyGlobal[kept] = w.copyGlobal[i];
        kept++;
      }
    }
    w.copies = kept;
  }

  private static int figure(LaunchCounts.Figure f) {
    return LaunchCounts.FIGURE_BASE + f.ordinal();
  }
}
