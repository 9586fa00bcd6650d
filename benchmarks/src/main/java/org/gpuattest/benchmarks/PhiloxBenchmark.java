package org.gpuattest.benchmarks;

import java.util.concurrent.TimeUnit;
import org.gpuattest.common.cpu.OperandFill;
import org.gpuattest.common.cpu.ScalarOperandFill;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.Philox4x32;
import org.gpuattest.common.spec.PhiloxKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Operand generation on one core (canonical-v1, "Philox4x32-10").
 *
 * <p>What it measures: {@code block} is one {@link Philox4x32#block} call with a fresh counter
 * each time, so ops/s is Philox blocks/s. {@code rowB} fills one row of B(g) at n = 2048 with
 * {@link Operands#rowB}; it is declared as 2048 operations per call, so its ops/s is elements/s
 * (two elements per block, plus the conversion to binary64), with the operand fill the JVM
 * chose (the Vector API one: the fork enables the module); {@code rowBScalar} is the same row
 * with the plain fill, the fallback. The validator generates all n
 * rows of B(g) for every device it samples, n^2 elements each, so this rate bounds that part of
 * verification.
 *
 * <p>What it is compared with: the Philox rate on a GPU, which canonical-v1 lets every thread
 * compute independently; only the CPU side is measured here.
 *
 * <p>Run: {@code mvn -q -Pjmh -DskipTests package} then
 * {@code java -jar benchmarks/target/benchmarks.jar PhiloxBenchmark -wi 2 -i 3 -f 1}
 * (docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PhiloxBenchmark {
  static final int N = 2048;

  private static final OperandFill SCALAR = new ScalarOperandFill();
  private final PhiloxKey key = CpuBackendBenchmark.key();
  private final int[] out = new int[4];
  private final double[] row = new double[N];
  private int counter;
  private int k;

  @Benchmark
  public int[] block() {
    Philox4x32.block(counter++, 1, 2, 0, key.k0(), key.k1(), out);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] rowBScalar() {
    SCALAR.fill(key.k0(), key.k1(), (long) k * N, N, 0, 3, 1, row, 0);
    k = (k + 1) & (N - 1);
    return row;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] rowB() {
    Operands.rowB(key, 3, N, k, row, 0);
    k = (k + 1) & (N - 1);
    return row;
  }
}
