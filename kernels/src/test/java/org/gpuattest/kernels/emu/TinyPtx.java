package org.gpuattest.kernels.emu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;

/**
 * Small hand-written PTX kernels for the interpreter's own tests, and a device to run them on:
 * an sm_80 GPU of 4 SMs with 64 MiB.
 */
final class TinyPtx {
  final DeviceMemory memory = new DeviceMemory(64L << 20);
  final EmulatedGpu gpu = EmulatedGpu.of(4, "8.0");

  /** A module of one entry {@code k} with these parameters (".param .u64 out, ..."). */
  static String module(String params, String body) {
    return ".version 7.0\n.target sm_80\n.address_size 64\n\n.visible .entry k(" + params
        + ")\n{\n" + "\t.reg .pred %p<8>;\n\t.reg .b32 %r<64>;\n\t.reg .b64 %rd<64>;\n"
        + "\t.reg .f64 %fd<64>;\n" + body + "\n}\n";
  }

  static KernelEntry entry(String params, String body) throws PtxLoadException {
    return PtxModule.load(module(params, body), 90, 80).entry("k");
  }

  long buffer(int bytes) throws OutOfDeviceMemoryException {
    return memory.allocate(bytes);
  }

  LaunchResult run(KernelEntry e, int ctas, int threads, long... args) throws KernelFault {
    return Launch.run(e, Dim3.of(ctas), Dim3.of(threads), 0, args, memory, gpu, 0, true);
  }

  long[] longs(long address, int count) {
    byte[] b = new byte[count * 8];
    memory.read(address, b);
    long[] v = new long[count];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
    return v;
  }

  void put(long address, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    memory.write(address, b.array());
  }

  /** Loads %rd1 = out + 8 * tid.x (global), %r1 = tid.x: the prologue of most test kernels. */
  static final String OUT_BY_TID = """
      \tld.param.u64 %rd0, [out];
      \tcvta.to.global.u64 %rd0, %rd0;
      \tmov.u32 %r1, %tid.x;
      \tmul.wide.u32 %rd2, %r1, 8;
      \tadd.s64 %rd1, %rd0, %rd2;
      """;
}
