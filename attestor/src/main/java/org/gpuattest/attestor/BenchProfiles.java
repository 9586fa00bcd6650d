package org.gpuattest.attestor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.gpuattest.common.Limits;
import org.gpuattest.kernels.DeviceIdentity;

/**
 * The GPU profile entries 'attestor bench' measured, one per GPU model benched, ready for a
 * validator's {@code --profiles} file (docs/protocol.md §8.6; schema
 * testdata/schemas/gpu-profiles-override.schema.json; docs/operators.md, "GPU profiles").
 *
 * <p>Every figure is one an honest GPU of the model reaches, so none fails one by design: the
 * loop's rate at each n is the lowest {@code loopTflops} over the model's GPUs of the rows of
 * the kernel each runs there ({@code chosen}: the kernel the prover runs; another kernel's rate
 * says nothing of the window), held at that n only (docs/soundness.md §7, "Calibrated
 * timing"): {@code canonicalTflops} at {@code canonicalDim}, 2048 where benched, else the
 * least n benched, and {@code canonicalTflopsByDim} at the others. {@code memoryTBps} is the
 * lowest whole memory pass over the model's GPUs and sizes: the memory window holds P passes
 * of the kept bytes to P x keptBytes / memoryTBps (docs/soundness.md §9), and a pass there is
 * the whole pass (v_p, memory_pass, leaves and roots; {@code CudaMemory.queuePass}, as bench
 * times it), not memory_pass alone. Rates are rounded down to 0.001, so that no entry claims
 * more than was measured. SM count and memory come from the devices; the FP64 peaks, which no
 * run measures, from the bundled table ({@link Fp64Peaks}): a model it lacks is left out,
 * with the reason, as is any whose figures a profile may not state.
 */
public final class BenchProfiles {
  /** The n a profile's canonicalTflops is taken at where benched (the default challenge's). */
  public static final int DEFAULT_CANONICAL_DIM = 2048;
  /** The least rate a profile may state, TFLOP/s or TB/s (docs/protocol.md §8.6). */
  static final double MIN_RATE = 0.001;
  /** The most memory bandwidth a profile may state, TB/s (docs/protocol.md §8.6). */
  static final double MAX_TBPS = 1_000;
  /** The most device memory a profile may state, GiB (docs/protocol.md §8.6). */
  static final long MAX_MEMORY_GIB = 65_536;
  private static final double GIB = 1L << 30;

  private BenchProfiles() {}

  /**
   * One profile entry, as the override file's schema has it; {@code canonicalTflopsByDim} is
   * null where only one n was benched, the memory figures null where neither bench nor the
   * table has them.
   */
  public record Entry(String model, int smCount, int memoryGiB, double fp64Tflops,
      double fp64TensorTflops, double canonicalTflops, boolean canonicalMeasured,
      int canonicalDim, Map<String, Double> canonicalTflopsByDim, Double memoryTBps,
      Boolean memoryMeasured) {}

  /** A model benched for which no entry could be made, and why. */
  public record LeftOut(String model, String reason) {}

  /** The entries, in the order of each model's first GPU, and the models left out. */
  public record Result(List<Entry> profiles, List<LeftOut> leftOut) {}

  /** An override file holding {@code profiles} (schema gpu-profiles-override.schema.json). */
  public record OverrideFile(int version, String about, List<Entry> profiles) {}

  /** The entries of a bench run over {@code gpus}, FP64 peaks from the bundled table. */
  public static Result of(List<DeviceIdentity> gpus, List<GpuBench.Row> rows,
      List<GpuBench.MemoryRow> memory) {
    return of(gpus, rows, memory, Fp64Peaks::of);
  }

  static Result of(List<DeviceIdentity> gpus, List<GpuBench.Row> rows,
      List<GpuBench.MemoryRow> memory, Function<String, Optional<Fp64Peaks.Peak>> peaks) {
    Map<String, Set<Integer>> models = new LinkedHashMap<>();
    for (int g = 0; g < gpus.size(); g++) {
      models.computeIfAbsent(gpus.get(g).name(), m -> new TreeSet<>()).add(g);
    }
    List<Entry> entries = new ArrayList<>();
    List<LeftOut> leftOut = new ArrayList<>();
    for (Map.Entry<String, Set<Integer>> m : models.entrySet()) {
      try {
        entries.add(entry(m.getKey(), m.getValue(), gpus, rows, memory, peaks));
      } catch (NoEntry e) {
        leftOut.add(new LeftOut(m.getKey(), e.getMessage()));
      }
    }
    return new Result(List.copyOf(entries), List.copyOf(leftOut));
  }

  private static Entry entry(String model, Set<Integer> members, List<DeviceIdentity> gpus,
      List<GpuBench.Row> rows, List<GpuBench.MemoryRow> memory,
      Function<String, Optional<Fp64Peaks.Peak>> peaks) throws NoEntry {
    if (model.isBlank() || model.length() > Limits.MAX_TEXT) {
      throw new NoEntry("a profile's model is 1 to " + Limits.MAX_TEXT + " characters, not"
          + " all blank");
    }
    Fp64Peaks.Peak peak = peaks.apply(model).orElseThrow(() -> new NoEntry("not in the"
        + " bundled GPU profile table (testdata/gpu-profiles.json), so its FP64 peaks are"
        + " unknown: write its entry by hand, with the vendor's fp64Tflops and"
        + " fp64TensorTflops beside this run's loopTflops"));
    Set<Integer> sms = new TreeSet<>();
    long memoryBytes = Long.MAX_VALUE;
    for (int g : members) {
      sms.add(gpus.get(g).smCount());
      memoryBytes = Math.min(memoryBytes, gpus.get(g).memoryBytes());
    }
    if (sms.size() != 1) {
      throw new NoEntry("its GPUs report different SM counts " + sms + ", and a device"
          + " report must match its profile's exactly");
    }
    int smCount = sms.iterator().next();
    if (smCount < 1 || smCount > Limits.MAX_SMS) {
      throw new NoEntry(smCount + " SMs is outside a profile's [1, " + Limits.MAX_SMS + "]");
    }
    // The nearest whole GiB, as the bundled table has it (an H100 SXM's 79.6 GiB is 80): the
    // memory phase keeps memoryFraction (0.85) of it, within what the device has.
    long memoryGiB = Math.round(memoryBytes / GIB);
    if (memoryGiB < 1 || memoryGiB > MAX_MEMORY_GIB) {
      throw new NoEntry(String.format(Locale.ROOT, "%.2f GiB of memory is outside a"
          + " profile's [1, %d] GiB", memoryBytes / GIB, MAX_MEMORY_GIB));
    }
    TreeMap<Integer, Double> lowest = new TreeMap<>();
    for (GpuBench.Row r : rows) {
      if (r.chosen() && members.contains(r.gpu())) {
        lowest.merge(r.n(), r.loopTflops(), Math::min);
      }
    }
    if (lowest.isEmpty()) {
      throw new NoEntry("no row of the kernel the prover runs was measured");
    }
    int base = lowest.containsKey(DEFAULT_CANONICAL_DIM) ? DEFAULT_CANONICAL_DIM
        : lowest.firstKey();
    Map<String, Double> byDim = new LinkedHashMap<>();
    for (Map.Entry<Integer, Double> e : lowest.entrySet()) {
      double rate = down(e.getValue());
      if (!(rate >= MIN_RATE)) {
        throw new NoEntry(String.format(Locale.ROOT, "its loop rate at n = %d, %g TFLOP/s,"
            + " is below the least a profile may state (%s)", e.getKey(), e.getValue(),
            MIN_RATE));
      }
      if (rate > peak.fp64TensorTflops()) {
        throw new NoEntry(String.format(Locale.ROOT, "its loop rate at n = %d, %s TFLOP/s,"
            + " is above the FP64 tensor peak of the bundled table (%s): the table or the"
            + " measurement is wrong", e.getKey(), rate, peak.fp64TensorTflops()));
      }
      byDim.put(String.valueOf(e.getKey()), rate);
    }
    double canonical = byDim.remove(String.valueOf(base));
    Double memoryTBps = peak.memoryTBps();
    Boolean memoryMeasured = memoryTBps == null ? null : false;
    double slowestPass = Double.POSITIVE_INFINITY;
    for (GpuBench.MemoryRow m : memory) {
      if (members.contains(m.gpu())) {
        slowestPass = Math.min(slowestPass, m.passGigabytesPerSecond());
      }
    }
    if (slowestPass != Double.POSITIVE_INFINITY) {
      memoryTBps = down(slowestPass / 1000);
      memoryMeasured = true;
      if (!(memoryTBps >= MIN_RATE && memoryTBps <= MAX_TBPS)) {
        throw new NoEntry(String.format(Locale.ROOT, "its slowest memory pass, %g TB/s, is"
            + " outside a profile's [%s, %s] TB/s", slowestPass / 1000, MIN_RATE, MAX_TBPS));
      }
    }
    return new Entry(model, smCount, (int) memoryGiB, peak.fp64Tflops(),
        peak.fp64TensorTflops(), canonical, true, base,
        byDim.isEmpty() ? null : Collections.unmodifiableMap(byDim), memoryTBps,
        memoryMeasured);
  }

  /** Rounded down to 0.001: no entry claims more than was measured. */
  static double down(double rate) {
    return Math.floor(rate * 1000) / 1000;
  }

  /** Why a model benched gets no entry. */
  private static final class NoEntry extends Exception {
    private static final long serialVersionUID = 1L;

    NoEntry(String reason) {
      super(reason, null, false, false);
    }
  }
}
