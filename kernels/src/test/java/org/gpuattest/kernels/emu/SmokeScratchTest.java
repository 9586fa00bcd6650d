package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry;
import org.junit.jupiter.api.Test;

class SmokeScratchTest {
  static String ptx(String f) throws Exception {
    Path p = Path.of("../ptx", f);
    return Files.readString(p);
  }

  static double[] read(DeviceMemory m, long addr, int count) {
    byte[] b = new byte[count * 8];
    m.read(addr, b);
    double[] d = new double[count];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
    return d;
  }

  static void write(DeviceMemory m, long addr, double[] d) {
    ByteBuffer bb = ByteBuffer.allocate(d.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    bb.asDoubleBuffer().put(d);
    m.write(addr, bb.array());
  }

  @Test
  void loadsAll() throws Exception {
    for (String f : new String[] {"philox_fill.ptx", "matmul_ffma.ptx", "matmul_dmma.ptx",
        "matmul_dmma_wide.ptx", "sha256_merkle.ptx"}) {
      PtxModule m = PtxModule.load(ptx(f), 90, 90);
      System.out.println(f + " " + m.entryNames());
    }
  }

  @Test
  void philoxAndFfma() throws Exception {
    int n = 128;
    EmulatedGpu gpu = EmulatedGpu.of(4, "9.0");
    DeviceMemory mem = new DeviceMemory(1L << 30);
    PhiloxKey key = new PhiloxKey(0x12345678, 0x9abcdef0);
    long b = mem.allocate(8L * n * n);
    long a = mem.allocate(8L * n * n);
    long c = mem.allocate(8L * n * n);
    long smBlocks = mem.allocate(8L * 4);
    long smBusy = mem.allocate(8L * 4);
    KernelEntry fill = PtxModule.load(ptx("philox_fill.ptx"), 90, 90).entry("philox_fill");
    long t0 = System.nanoTime();
    LaunchResult r = Launch.run(fill, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), 0,
        new long[] {b, (long) n * n / 2, key.k0(), key.k1(), 0, 3, 1}, mem, gpu, 0, true);
    System.out.println("fill " + (System.nanoTime() - t0) / 1e6 + " ms " + r.counts());
    assertArrayEquals(Operands.matrixB(key, 3, n), read(mem, b, n * n));
    Launch.run(fill, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), 0,
        new long[] {a, (long) n * n / 2, key.k0(), key.k1(), 5, 3, 0}, mem, gpu, 0, false);
    double[] expect = new double[n * n];
    CanonicalProduct.multiply(Operands.matrixA(key, 3, 5, n), n, Operands.matrixB(key, 3, n), n,
        expect);
    for (String[] k : new String[][] {{"matmul_ffma.ptx", "matmul_ffma"},
        {"matmul_dmma.ptx", "matmul_dmma"}, {"matmul_dmma_wide.ptx", "matmul_dmma_wide"}}) {
      KernelEntry mm = PtxModule.load(ptx(k[0]), 90, 90).entry(k[1]);
      Dim3 grid = k[1].equals("matmul_ffma") ? KernelGeometry.matmulGrid(n)
          : k[1].equals("matmul_dmma") ? KernelGeometry.dmmaGrid(n) : KernelGeometry.dmmaWideGrid(n);
      Dim3 block = k[1].equals("matmul_ffma") ? KernelGeometry.matmulBlock() : KernelGeometry.dmmaBlock();
      int dyn = k[1].equals("matmul_dmma_wide") ? 112128 : 0;
      mem.fill(c, 8L * n * n, (byte) 0);
      t0 = System.nanoTime();
      r = Launch.run(mm, grid, block, dyn, new long[] {a, b, c, n, smBlocks, smBusy}, mem, gpu,
          1000, true);
      long ns = System.nanoTime() - t0;
      System.out.println(k[1] + " " + ns / 1e6 + " ms, " + r.counts().threadInstructions() * 1e3 / ns
          + " M thread-instr/s; virtual " + (r.endNanos() - r.startNanos()) + " ns\n" + r.counts());
      assertArrayEquals(expect, read(mem, c, n * n), k[1]);
      long[] blocks = new long[4];
      byte[] bb = new byte[32];
      mem.read(smBlocks, bb);
      ByteBuffer.wrap(bb).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(blocks);
      System.out.println(java.util.Arrays.toString(blocks));
      mem.fill(smBlocks, 32, (byte) 0);
      mem.fill(smBusy, 32, (byte) 0);
    }
    assertEquals(0, 0);
  }
}
