package org.gpuattest.benchmarks;

import java.util.concurrent.TimeUnit;
import org.gpuattest.common.cpu.CanonicalKernel;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.common.cpu.PackedPanel;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.IterationResult;
import org.gpuattest.kernels.cpu.CpuBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU backend's exact FP64 rate on one core.
 *
 * <p>What it measures: {@code blockProduct} is one block of the CPU backend: 16 rows (the
 * backend's block size, {@code CpuDevice.BLOCK_ROWS}) of A times all of B(g), packed once at
 * setup as the backend packs it once per device, single-threaded, for n = 512, 1024 and 2048,
 * with the Vector API kernel ({@code kernel=vector}, what the launchers run) and the plain one
 * ({@code kernel=scalar}, the fallback). One op is 2 x 16 x n^2 floating-point operations, so GFLOP/s per core
 * = 2 x 16 x n^2 x (ops/s) / 1e9. {@code wholeIteration} is one full iteration of a CPU
 * device at n = 512 with one worker thread: Philox generation of A(g, t), the product, SHA-256
 * of every row and the matrix root; one op is 2 x 512^3 FLOP of product, and its rate against
 * {@code blockProduct}'s shows what generation, hashing and scheduling cost on top of the FMAs.
 *
 * <p>What it is compared with: {@code FmaPeakBenchmark.vector}, this core's FMA peak. Nothing
 * faster than the canonical chain is allowed. A blocked product that reorders k,
 * splits k or vectorises across k would be quicker and is not canonical-v1; the GPU kernel
 * against cuBLAS is {@code attestor bench}, not this.
 *
 * <p>Run: {@code mvn -q -Pjmh -DskipTests package} then
 * {@code java -jar benchmarks/target/benchmarks.jar CpuBackendBenchmark -wi 2 -i 3 -f 1}
 * (docs/benchmarks.md).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class CpuBackendBenchmark {
  /** CpuDevice.BLOCK_ROWS, which is package-private in kernels. */
  static final int BLOCK_ROWS = 64;

  static PhiloxKey key() {
    byte[] seed = new byte[PhiloxKey.SEED_BYTES];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = (byte) (0x5A ^ i);
    }
    return PhiloxKey.fromSeed(seed);
  }

  /** One block's operands: 16 rows of A(0, 1) and all of B(0), packed for the kernel. */
  @State(Scope.Thread)
  public static class Block {
    @Param({"512", "1024", "2048"})
    public int n;

    /** "vector": the kernel CpuKernels chooses, which must be the Vector API one; "scalar". */
    @Param({"vector", "scalar"})
    public String kernel;

    CanonicalKernel k;
    double[] a;
    PackedPanel b;
    double[] c;

    @Setup(Level.Trial)
    public void setUp() {
      k = kernel.equals("scalar") ? CpuKernels.scalar().product() : CpuKernels.get().product();
      if (kernel.equals("vector") && !k.name().startsWith("vector")) {
        throw new IllegalStateException(CpuKernels.get().description());
      }
      System.err.printf("%n%s%n", kernel.equals("scalar") ? "scalar" : CpuKernels.get().description());
      PhiloxKey key = key();
      b = k.pack(Operands.matrixB(key, 0, n), 0, n, n);
      a = new double[BLOCK_ROWS * n];
      for (int r = 0; r < BLOCK_ROWS; r++) {
        Operands.rowA(key, 0, 1, n, r, a, r * n);
      }
      c = new double[BLOCK_ROWS * n];
    }
  }

  /** A CPU device with one worker thread, prepared for n = 512. */
  @State(Scope.Thread)
  public static class Iteration {
    static final int N = 512;
    Device device;

    @Setup(Level.Trial)
    public void setUp() throws BackendException {
      device = new CpuBackend(1).devices(1).get(0);
      device.prepare(key(), 0, N);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      device.close();
    }
  }

  @Benchmark
  public double[] blockProduct(Block s) {
    java.util.Arrays.fill(s.c, 0.0);
    s.k.accumulate(s.a, 0, s.n, BLOCK_ROWS, s.b, s.c, 0, s.n);
    return s.c;
  }

  @Benchmark
  public IterationResult wholeIteration(Iteration s) throws BackendException {
    return s.device.iterate(1);
  }
}
