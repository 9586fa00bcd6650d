package org.gpuattest.benchmarks;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FP64 FMA peak of one core, the yardstick the CPU kernels are reported against.
 *
 * <p>What it measures: {@code vector} runs twelve independent vector FMA chains in registers
 * (twelve so that two FMA pipes of four-cycle latency never wait), {@code LOOP} steps per
 * invocation, with {@link DoubleVector#SPECIES_PREFERRED}; {@code scalar} the same with
 * {@link Math#fma} on doubles. One op is one vector FMA (resp. one scalar FMA), so GFLOP/s =
 * 2 x lanes x ops/s / 1e9, with lanes printed at setup (8 with AVX-512, 4 with AVX2; 1 for
 * {@code scalar}). No memory is touched in the loop: this is the arithmetic bound, not a kernel.
 *
 * <p>What it is compared with: {@code CpuBackendBenchmark} and {@code VerifyCostBenchmark}
 * report their rates as a fraction of {@code vector} (docs/benchmarks.md).
 *
 * <p>Run: {@code mvn -q -Pjmh -DskipTests package} then
 * {@code java -jar benchmarks/target/benchmarks.jar FmaPeakBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class FmaPeakBenchmark {
  static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  static final int LOOP = 10_000;
  static final int CHAINS = 12;

  // Read from fields so the JIT cannot fold the chains into constants.
  double x = 1.0000001;
  double y = 0.9999999;

  @Setup(Level.Trial)
  public void lanes() {
    System.err.printf("%nFmaPeakBenchmark: %s, %d doubles per vector%n", S, S.length());
  }

  @Benchmark
  @OperationsPerInvocation(LOOP * CHAINS)
  public double vector() {
    DoubleVector a = DoubleVector.broadcast(S, x);
    DoubleVector b = DoubleVector.broadcast(S, y);
    DoubleVector c0 = DoubleVector.broadcast(S, 1);
    DoubleVector c1 = c0.add(1);
    DoubleVector c2 = c0.add(2);
    DoubleVector c3 = c0.add(3);
    DoubleVector c4 = c0.add(4);
    DoubleVector c5 = c0.add(5);
    DoubleVector c6 = c0.add(6);
    DoubleVector c7 = c0.add(7);
    DoubleVector c8 = c0.add(8);
    DoubleVector c9 = c0.add(9);
    DoubleVector c10 = c0.add(10);
    DoubleVector c11 = c0.add(11);
    for (int i = 0; i < LOOP; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9)
        .add(c10).add(c11).lane(0);
  }

  @Benchmark
  @OperationsPerInvocation(LOOP * CHAINS)
  public double scalar() {
    double a = x;
    double b = y;
    double c0 = 1, c1 = 2, c2 = 3, c3 = 4, c4 = 5, c5 = 6;
    double c6 = 7, c7 = 8, c8 = 9, c9 = 10, c10 = 11, c11 = 12;
    for (int i = 0; i < LOOP; i++) {
      c0 = Math.fma(c0, a, b);
      c1 = Math.fma(c1, a, b);
      c2 = Math.fma(c2, a, b);
      c3 = Math.fma(c3, a, b);
      c4 = Math.fma(c4, a, b);
      c5 = Math.fma(c5, a, b);
      c6 = Math.fma(c6, a, b);
      c7 = Math.fma(c7, a, b);
      c8 = Math.fma(c8, a, b);
      c9 = Math.fma(c9, a, b);
      c10 = Math.fma(c10, a, b);
      c11 = Math.fma(c11, a, b);
    }
    return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
  }
}
