package org.gpuattest.kernels.emu;

import java.nio.file.Files;
import java.nio.file.Path;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry;

/**
 * The interpreter's speed on the shipped kernels: thread-instructions per second on one core,
 * after warm-up, sanitizer on (it always is), counts off. Run from the repository root:
 *
 * <pre>
 * mvn -q -o -pl kernels -am test-compile
 * mvn -q -o -pl kernels exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.gpuattest.kernels.emu.EmulatorThroughput [-Dexec.args=256]
 * </pre>
 */
public final class EmulatorThroughput {
  private EmulatorThroughput() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    Path ptx = Files.isDirectory(Path.of("ptx")) ? Path.of("ptx") : Path.of("..", "ptx");
    EmulatedGpu gpu = EmulatedGpu.of(4, "9.0");
    DeviceMemory mem = new DeviceMemory(1L << 30);
    long a = mem.allocate(8L * n * n);
    long b = mem.allocate(8L * n * n);
    long c = mem.allocate(8L * n * n);
    long smBlocks = mem.allocate(8L * 4);
    long smBusy = mem.allocate(8L * 4);
    long leaves = mem.allocate(32L * n);
    long root = mem.allocate(32);
    long scratch = mem.allocate(32L * n);
    System.out.printf("n = %d, %s, %d SMs; java %s%n", n, gpu.arch().capability(),
        gpu.smCount(), System.getProperty("java.version"));
    System.out.printf("%-26s %16s %10s %14s%n", "kernel", "thread-instr", "ms", "M thread-instr/s");
    KernelEntry fill = load(ptx, "philox_fill.ptx", "philox_fill");
    measure(fill, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), 0,
        new long[] {a, (long) n * n / 2, 1, 2, 0, 3, 0}, mem, gpu);
    Launch.run(fill, KernelGeometry.fillGrid(n), KernelGeometry.fillBlock(), 0,
        new long[] {b, (long) n * n / 2, 1, 2, 0, 3, 1}, mem, gpu, 0, false);
    long[] product = {a, b, c, n, smBlocks, smBusy};
    measure(load(ptx, "matmul_ffma.ptx", "matmul_ffma"), KernelGeometry.matmulGrid(n),
        KernelGeometry.matmulBlock(), 0, product, mem, gpu);
    measure(load(ptx, "matmul_dmma.ptx", "matmul_dmma"), KernelGeometry.dmmaGrid(n),
        KernelGeometry.dmmaBlock(), 0, product, mem, gpu);
    if (n % 128 == 0) {
      measure(load(ptx, "matmul_dmma_wide.ptx", "matmul_dmma_wide"),
          KernelGeometry.dmmaWideGrid(n), KernelGeometry.dmmaBlock(),
          KernelGeometry.Kernel.byEntry("matmul_dmma_wide").orElseThrow().dynamicSharedBytes,
          product, mem, gpu);
    }
    measure(load(ptx, "sha256_merkle.ptx", "sha256_rows"), KernelGeometry.rowHashGrid(n),
        KernelGeometry.rowHashBlock(), 0, new long[] {c, n, leaves}, mem, gpu);
    measure(load(ptx, "sha256_merkle.ptx", "merkle_root"), KernelGeometry.treeGrid(),
        KernelGeometry.treeBlock(), 0, new long[] {leaves, scratch, n, root}, mem, gpu);
  }

  private static KernelEntry load(Path dir, String file, String entry) throws Exception {
    return PtxModule.load(Files.readString(dir.resolve(file)), 90, 90).entry(entry);
  }

  private static void measure(KernelEntry e, Dim3 grid, Dim3 block, int dynamic, long[] args,
      DeviceMemory mem, EmulatedGpu gpu) throws KernelFault {
    long instructions = Launch.run(e, grid, block, dynamic, args, mem, gpu, 0, true).counts()
        .threadInstructions();
    for (int i = 0; i < 3; i++) {
      Launch.run(e, grid, block, dynamic, args, mem, gpu, 0, false);
    }
    int reps = 5;
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      Launch.run(e, grid, block, dynamic, args, mem, gpu, 0, false);
    }
    double ms = (System.nanoTime() - t0) / 1e6 / reps;
    System.out.printf("%-26s %,16d %10.2f %14.1f%n", e.name(), instructions, ms,
        instructions / ms / 1e3);
  }
}
