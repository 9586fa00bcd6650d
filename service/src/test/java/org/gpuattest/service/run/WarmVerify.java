package org.gpuattest.service.run;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.EvidenceArchive;
import org.gpuattest.validator.check.Evidence;

/**
 * Warm verification in the service (docs/benchmarks.md, "Service"; issue 22's goal: p50 on one
 * core within 1.2x of {@code VerifyCostBenchmark.verify}): the service's own verify step,
 * {@link AttestationRunner#verify}, what {@code gpu_attest_verify_duration_seconds} times, run
 * on one exchange read from DIR (written by {@code org.gpuattest.benchmarks.VerifyExchangeFiles}:
 * the benchmark's own fixture), WARM times untimed, then N times timed; prints p50, p99, min and
 * max. As in the benchmark, the first verdict must pass with openings.exact passing (else it
 * refuses), and later ones fail challenge.replay only, one file-create attempt. One thread for
 * the devices, as the benchmark's default; pin the JVM to one core with {@code taskset -c 0}.
 *
 * <pre>java -cp service/target/test-classes:service/target/validator-service.jar \
 *     org.gpuattest.service.run.WarmVerify DIR N [WARM]</pre>
 */
public final class WarmVerify {
  private WarmVerify() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: WarmVerify DIR N [WARM=5]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    int warm = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Session session = Session.load(dir.resolve("session.json"));
    String openings = Files.readString(dir.resolve("openings.txt"));
    Path tmp = Files.createTempDirectory("warm-verify");
    SecureRandom random = new SecureRandom();
    EvidenceArchive archive = new EvidenceArchive(tmp.resolve("archive"));
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(random);
    AttestationRunner.Settings settings = new AttestationRunner.Settings(GpuProfiles.bundled(),
        new ReplayStore(tmp.resolve("used-challenges")), archive,
        new ArchiveSpool(archive, tmp.resolve("archive-spool"), key), key, null, 1,
        Clock.systemUTC(), random,
        new PrintWriter(System.err, true));
    // A GPU provider's options in the service: no CPU pass allowed, no pinned key.
    Evidence.Options options = Evidence.Options.strict();
    Verdict first = AttestationRunner.verify(settings, session, openings, options,
        session.received());
    if (!first.passed() || !first.check("openings.exact").status().equals(Check.PASS)) {
      StringBuilder sb = new StringBuilder("WarmVerify: the exchange does not verify:");
      first.checks().stream().filter(Check::failed)
          .forEach(c -> sb.append("\n  ").append(c.name()).append(": ").append(c.message()));
      System.err.println(sb);
      System.exit(1);
    }
    for (int i = 0; i < warm; i++) {
      AttestationRunner.verify(settings, session, openings, options, session.received());
    }
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      Verdict v = AttestationRunner.verify(settings, session, openings, options,
          session.received());
      nanos[i] = System.nanoTime() - t0;
      // Every timed verdict did the whole work: the rows recomputed (openings.exact passed),
      // only the replay store's claim refused (the id was claimed by the first).
      if (v.checks().stream().filter(Check::failed).anyMatch(c -> !c.name()
          .equals("challenge.replay"))
          || !v.check("openings.exact").status().equals(Check.PASS)) {
        System.err.println("WarmVerify: a later verdict failed more than challenge.replay, or"
            + " did not recompute the rows");
        System.exit(1);
      }
    }
    Arrays.sort(nanos);
    System.out.printf(Locale.ROOT, "service verify, warm, %d runs after %d (processors %d):"
        + " p50 %.1f ms, p99 %.1f ms, min %.1f ms, max %.1f ms%n", n, warm,
        Runtime.getRuntime().availableProcessors(), nanos[rank(n, 0.50)] / 1e6,
        nanos[rank(n, 0.99)] / 1e6, nanos[0] / 1e6, nanos[n - 1] / 1e6);
  }

  /** The nearest-rank percentile's index. */
  private static int rank(int n, double p) {
    return Math.max(0, (int) Math.ceil(p * n) - 1);
  }
}
