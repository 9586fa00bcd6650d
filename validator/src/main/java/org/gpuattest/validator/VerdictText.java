package org.gpuattest.validator;

import java.util.Map;
import java.util.Optional;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.Printable;

/**
 * A verdict as a person reads it: a header line with what was attested where the verdict says
 * (model, n, T, G, the prover's key id, the rate per GPU), one line per check, then the result
 * on the last line, each line ended by {@code \n}. Checks quote what the prover sent (device
 * names, UUIDs, digests), so every string taken from the verdict goes through {@link
 * Printable#escape}: no prover text can end a line, print a "verdict:" line of its own, or
 * drive the terminal. Where timing.window carries its figures, a "proven:" line before the
 * result gives the throughput the run showed and what any passing run proves
 * (docs/soundness.md section 6), and a "prover:" line the prover's own report of its CPU work
 * on the clock.
 */
public final class VerdictText {
  private VerdictText() {}

  public static String format(Verdict v) {
    StringBuilder sb = new StringBuilder();
    if (v.attestation() != null) {
      sb.append(header(v.attestation())).append('\n');
    }
    int width = v.checks().stream().mapToInt(c -> Printable.escape(c.name()).length()).max()
        .orElse(10);
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    for (Check c : v.checks()) {
      switch (c.status()) {
        case Check.PASS -> passed++;
        case Check.FAIL -> failed++;
        default -> skipped++;
      }
      sb.append(String.format("%-4s  %-" + width + "s  %s", c.status().toUpperCase(
          java.util.Locale.ROOT).substring(0, 4), Printable.escape(c.name()),
          Printable.escape(c.message())));
      if (!c.status().equals(Check.SKIPPED)) {
        sb.append(String.format(" [measured %s; expected %s]", Printable.escape(c.measured()),
            Printable.escape(c.expected())));
      }
      sb.append('\n');
    }
    proven(v).ifPresent(line -> sb.append(line).append('\n'));
    proverCpu(v).ifPresent(line -> sb.append(line).append('\n'));
    // '\n', not %n: a "\r\n" ending would put a control character in the text on Windows.
    sb.append(String.format("verdict: %s (challenge %s; %d passed, %d failed, %d skipped)\n",
        v.result().toUpperCase(java.util.Locale.ROOT), Printable.escape(v.challengeId()),
        passed, failed, skipped));
    return sb.toString();
  }

  /**
   * "attestation: 8 x NVIDIA H100 80GB HBM3, n=8192, T=40, 256 samples, cuda; prover key
   * 0123456789abcdef; 52.1 TFLOP/s per GPU over 3.402 s": the claim and this run's rate, before
   * the checks. The rate is the validator's clock's, round trip and commit step included.
   */
  static String header(Attestation a) {
    Double tflops = a.timing().tflopsPerGpu();
    return String.format(java.util.Locale.ROOT,
        "attestation: %d x %s, n=%d, T=%d, %s, %s; prover key %s; %s over %.3f s",
        a.devices(), Printable.escape(a.model()), a.dim(), a.iterations(), samples(a),
        Printable.escape(a.backend()), a.proverKeyId() == null ? "unreadable"
            : Printable.escape(a.proverKeyId()),
        tflops == null ? "no rate" : rate(tflops) + " per GPU", a.timing().elapsedSeconds());
  }

  /**
   * "256 samples"; "460 samples asked, 128 distinct rows (every row)" where K is more than the
   * G x T x n rows there are, so the request named each row once (docs/protocol.md section 7).
   */
  static String samples(Attestation a) {
    Integer rows = a.rowsRequested();
    if (rows == null || rows == a.samples()) {
      return a.samples() + " samples";
    }
    return a.samples() + " samples asked, " + rows + " distinct rows"
        + ((long) a.devices() * a.iterations() * a.dim() == rows ? " (every row)" : "");
  }

  /**
   * A rate in the unit that shows its digits: TFLOP/s from 1 up (a GPU's), else GFLOP/s, else
   * MFLOP/s (the CPU backend's small demo challenges, which would all read 0.000 TFLOP/s).
   */
  static String rate(double tflops) {
    if (tflops >= 1 || tflops == 0) {
      return ProvenRate.number(tflops) + " TFLOP/s";
    }
    return tflops >= 1e-3 ? ProvenRate.number(tflops * 1e3) + " GFLOP/s"
        : ProvenRate.number(tflops * 1e6) + " MFLOP/s";
  }

  /**
   * "prover: 0.031 s of its own CPU work on the clock up to signing (its report, not
   * checked)", where timing.window carries the commitment's proverCpuNanos.
   */
  static Optional<String> proverCpu(Verdict v) {
    Double s = windowFigures(v).get("proverCpuSeconds");
    return s == null ? Optional.empty() : Optional.of(String.format(java.util.Locale.ROOT,
        "prover: %.3f s of its own CPU work on the clock up to signing (its report, not"
            + " checked)", s));
  }

  private static Map<String, Double> windowFigures(Verdict v) {
    return v.checks().stream()
        .filter(c -> c.name().equals("timing.window") && c.figures() != null)
        .map(Check::figures).findFirst().orElse(Map.of());
  }

  /** "proven: 7.9 of 8 claimed GPUs' canonical rate in this run; passing proves at least 7.2". */
  static Optional<String> proven(Verdict v) {
    Map<String, Double> f = windowFigures(v);
    Double atBound = f.get("provenAtBound");
    Double claimed = f.get("claimedDevices");
    if (atBound == null || claimed == null) {
      return Optional.empty();
    }
    Double shown = f.get("provenDevices");
    return Optional.of("proven: " + (shown == null ? "-" : ProvenRate.number(shown))
        + " of " + Math.round(claimed) + " claimed GPUs' canonical rate in this run; passing"
        + " proves at least " + ProvenRate.number(atBound)
        + (Double.valueOf(0.0).equals(f.get("startupOutside")) ? " (start-up inside the window)"
        : ""));
  }
}
