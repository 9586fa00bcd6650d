package org.gpuattest.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.SampledRows;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.check.Verifier;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The validator's cost to verify one attestation at the defaults: G = 8 devices, n = 2048,
 * T for a 10-second challenge on "NVIDIA H100 80GB HBM3" (TimingWindow.iterationsFor, about
 * 8000) and K = {@link ChallengeIssuer#DEFAULT_SAMPLES} = 460 opened rows, on one thread by
 * default ({@code -p threads=2} runs the devices on two, as {@code validator verify --threads 2}
 * does). The target (issue 9) is at most 150 ms on one core.
 *
 * <p>What it measures: {@code verify} is {@link Verifier#verify} on a fixed
 * {@link VerifyFixture}: every check, of which openings.exact dominates (recompute 460 rows of
 * C, which means generating all of B(g) for each of the 8 devices, plus 460 x 2048^2 FMAs, then
 * SHA-256 of each row and 2 audit paths per sample). The fixture's devices look like CUDA
 * devices, so the GPU-only checks run too (they are cheap). Setup verifies once and refuses to
 * run unless that verdict passes with openings.exact "pass", so the timed work is real; later
 * invocations fail challenge.replay only, which costs one file-create attempt.
 * {@code sampledRowsOnly} is {@link SampledRows#compute} for all 8 devices, nothing else:
 * where the time goes.
 *
 * <p>What it is compared with: the 150 ms target, and this core's FMA peak
 * ({@code FmaPeakBenchmark}): the 460 x 2048^2 FMAs alone are 3.86 GFLOP. {@code sampledRowsOnly} against {@code verify}
 * shows that everything but the row recomputation (signatures, hashing, paths, the replay
 * file) is small.
 *
 * <p>Run: {@code mvn -q -Pjmh -DskipTests package} then
 * {@code java -jar benchmarks/target/benchmarks.jar VerifyCostBenchmark} (docs/benchmarks.md).
 * Iterations are 5 s long, so each averages many ops (about 0.2 s each).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class VerifyCostBenchmark {
  static final int DEVICES = 8;
  static final int DIM = 2048;
  static final double SECONDS = 10.0;

  /** Threads for the per-device recomputation ({@code validator verify --threads}). */
  @Param({"1"})
  public int threads;

  private VerifyFixture fixture;
  private Path replayDir;
  private Verifier verifier;
  private PhiloxKey key;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    fixture = VerifyFixture.build(DEVICES, DIM, SECONDS, ChallengeIssuer.DEFAULT_SAMPLES, 42L);
    key = fixture.challenge.philoxKey();
    replayDir = Files.createTempDirectory("verify-bench-replay");
    verifier = new Verifier(new ReplayStore(replayDir), Clock.systemUTC(), threads);
    Verdict first = verifier.verify(fixture.evidence());
    if (!first.check("openings.exact").status().equals(Check.PASS) || !first.passed()) {
      StringBuilder sb = new StringBuilder("the fixture does not verify; failed checks:");
      first.checks().stream().filter(Check::failed)
          .forEach(c -> sb.append("\n  ").append(c.name()).append(": ").append(c.message()));
      throw new IllegalStateException(sb.toString());
    }
    System.err.printf("%nfixture: G=%d n=%d T=%d K=%d; first verdict %s, openings.exact %s%n",
        DEVICES, DIM, fixture.challenge.iterations(), fixture.request.samples().size(),
        first.result(), first.check("openings.exact").measured());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> files = Files.walk(replayDir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public Verdict verify() throws IOException {
    return verifier.verify(fixture.evidence());
  }

  @Benchmark
  public void sampledRowsOnly(Blackhole bh) {
    for (int g = 0; g < DEVICES; g++) {
      bh.consume(SampledRows.compute(key, g, DIM, fixture.iterations[g], fixture.rows[g]));
    }
  }
}
