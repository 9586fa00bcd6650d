package org.gpuattest.validator;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.Printable;

/**
 * The table of GPU models a validator accepts claims for (testdata/gpu-profiles.json, packaged
 * into the validator): SM count, FP64 rates, the canonical kernel's expected throughput, and the
 * bounds of the timing and SM checks.
 *
 * <p>{@code canonicalTflops} is the rate of the whole canonical iteration (fill, product and
 * hashing, 2 n^3 flops per iteration), as 'attestor bench' measures it, not the product's alone:
 * the ready/go window (docs/soundness.md section 6) holds a run to it within {@code tolerance}.
 */
public record GpuProfiles(int version, String about, Defaults defaults, List<Profile> profiles) {
  /**
   * The range of every rate, TFLOP/s: a thousandth (below any GPU with FP64 at all) to ten
   * thousand (some 100 times today's fastest FP64 tensor-core peak). The least rate keeps the
   * longest work (n = 16384, T = 2^20) to about 290 years at most, a finite window the issuer
   * then refuses for not fitting in a challenge's lifetime, rather than an overflow.
   */
  public static final double MIN_TFLOPS = 0.001;
  public static final double MAX_TFLOPS = 10_000;
  /** Device memory at most, GiB. */
  public static final int MAX_MEMORY_GIB = 65_536;
  /** The defaults' ranges (docs/protocol.md section 8.6); each least value is 0 but slack's 1. */
  public static final double MAX_STARTUP_SECONDS = 3_600;
  public static final double MAX_PER_DEVICE_SECONDS = 600;
  public static final double MAX_PER_ITERATION_SECONDS = 1;
  public static final double MAX_SLACK = 100;
  public static final double MAX_ROUND_TRIP_SECONDS = 60;
  public static final double MAX_COMMIT_SECONDS = 3_600;
  /**
   * The range of every memory bandwidth, TB/s: a thousandth (a slow host link) to a thousand
   * (some 200 times today's fastest HBM).
   */
  public static final double MIN_TBPS = 0.001;
  /** The n a profile's canonicalTflops was taken at unless it says (the default challenge's). */
  public static final int DEFAULT_CANONICAL_DIM = ChallengeIssuer.DEFAULT_DIM;
  /** Calibrated sizes one profile may list besides its canonicalDim: every legal n fits. */
  public static final int MAX_CALIBRATED_DIMS = 256;
  public static final double MAX_TBPS = 1_000;
  /** The memory phase's tolerance at most: ten times the expected time. */
  public static final double MAX_MEMORY_TOLERANCE = 10;
  /** The memory phase's planned length at most, s. */
  public static final double MAX_MEMORY_SECONDS = 3_600;
  /** The memory phase's defaults where a table gives none (docs/protocol.md section 8.6). */
  static final double MEMORY_FRACTION = 0.85;
  static final double MEMORY_TOLERANCE = 0.40;
  static final double MEMORY_SECONDS = 1.5;
  static final double HOST_LINK_TBPS = 0.064;

  /**
   * Bounds shared by every model. startupSeconds, perDeviceSeconds and slack shape the window
   * of a run timed from the challenge's issue (start-up inside); tolerance, maxRoundTripSeconds
   * and commitSeconds shape the window of a ready/go start (docs/soundness.md section 6).
   */
  public record Defaults(
      @JsonProperty(required = true) double startupSeconds,
      @JsonProperty(required = true) double perDeviceSeconds,
      @JsonProperty(required = true) double perIterationSeconds,
      @JsonProperty(required = true) double slack,
      @JsonProperty(required = true) double tolerance,
      @JsonProperty(required = true) double maxRoundTripSeconds,
      @JsonProperty(required = true) double commitSeconds,
      @JsonProperty(required = true) double maxSmImbalance,
      @JsonProperty(required = true) double minBusyFraction,
      Double memoryFraction,
      Double memoryTolerance,
      Double memorySeconds,
      Double hostLinkTBps) {
    /**
     * The memory phase's four (docs/soundness.md section 9), each its default where a table
     * from before the phase gives none: memoryFraction of the claimed model's memory is kept;
     * an honest pass may be memoryTolerance slower than the profile's memoryTBps (provisional:
     * the vendor's peak, which no kernel reaches); the passes are planned to take
     * memorySeconds at memoryTBps; hostLinkTBps is the host link a prover could stream part of
     * the kept products over, for what a passing phase proves.
     */
    public Defaults {
      memoryFraction = memoryFraction == null ? MEMORY_FRACTION : memoryFraction;
      memoryTolerance = memoryTolerance == null ? MEMORY_TOLERANCE : memoryTolerance;
      memorySeconds = memorySeconds == null ? MEMORY_SECONDS : memorySeconds;
      hostLinkTBps = hostLinkTBps == null ? HOST_LINK_TBPS : hostLinkTBps;
      if (!(memoryFraction > 0 && memoryFraction <= 1)) {
        throw new IllegalArgumentException("memoryFraction must be in (0, 1], got "
            + memoryFraction);
      }
      within("memoryTolerance", memoryTolerance, 0, MAX_MEMORY_TOLERANCE, "");
      if (!(memorySeconds > 0 && memorySeconds <= MAX_MEMORY_SECONDS)) {
        throw new IllegalArgumentException("memorySeconds must be in (0, "
            + plain(MAX_MEMORY_SECONDS) + "] s, got " + memorySeconds);
      }
      within("hostLinkTBps", hostLinkTBps, 0, MAX_TBPS, " TB/s");
      // Each within a range no real GPU or network leaves, so that no figure can make a
      // window of years (a challenge lives at most ChallengeIssuer.MAX_TTL) or overflow the
      // durations computed from it; NaN and infinities are outside every range.
      within("startupSeconds", startupSeconds, 0, MAX_STARTUP_SECONDS, " s");
      within("perDeviceSeconds", perDeviceSeconds, 0, MAX_PER_DEVICE_SECONDS, " s");
      within("perIterationSeconds", perIterationSeconds, 0, MAX_PER_ITERATION_SECONDS, " s");
      // A slack under 1 would fail honest runs at the profile's own rate (soundness.md 6).
      within("slack", slack, 1, MAX_SLACK, "");
      if (!(tolerance >= 0 && tolerance < 1)) {
        throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
      }
      within("maxRoundTripSeconds", maxRoundTripSeconds, 0, MAX_ROUND_TRIP_SECONDS, " s");
      within("commitSeconds", commitSeconds, 0, MAX_COMMIT_SECONDS, " s");
      within("maxSmImbalance", maxSmImbalance, 0, 1, "");
      within("minBusyFraction", minBusyFraction, 0, 1, "");
    }

    /** Defaults without the memory phase's four, which take their defaults. */
    public Defaults(double startupSeconds, double perDeviceSeconds, double perIterationSeconds,
        double slack, double tolerance, double maxRoundTripSeconds, double commitSeconds,
        double maxSmImbalance, double minBusyFraction) {
      this(startupSeconds, perDeviceSeconds, perIterationSeconds, slack, tolerance,
          maxRoundTripSeconds, commitSeconds, maxSmImbalance, minBusyFraction, null, null, null,
          null);
    }
  }

  public record Profile(
      String model,
      @JsonProperty(required = true) int smCount,
      @JsonProperty(required = true) int memoryGiB,
      @JsonProperty(required = true) double fp64Tflops,
      @JsonProperty(required = true) double fp64TensorTflops,
      @JsonProperty(required = true) double canonicalTflops,
      @JsonProperty(required = true) boolean canonicalMeasured,
      Double memoryTBps,
      Boolean memoryMeasured,
      Integer canonicalDim,
      Map<String, Double> canonicalTflopsByDim) {
    /**
     * The checks an operator's entry needs too ({@link ProfileOverrides}): each message starts
     * with the field it is about, so it reads after the entry's path.
     */
    public Profile {
      Limits.text("model", model);
      if (model.isBlank()) {
        throw new IllegalArgumentException("model must not be empty");
      }
      Limits.range("smCount", smCount, 1, Limits.MAX_SMS);
      Limits.range("memoryGiB", memoryGiB, 1, MAX_MEMORY_GIB);
      within("fp64Tflops", fp64Tflops, MIN_TFLOPS, MAX_TFLOPS, " TFLOP/s");
      within("fp64TensorTflops", fp64TensorTflops, MIN_TFLOPS, MAX_TFLOPS, " TFLOP/s");
      within("canonicalTflops", canonicalTflops, MIN_TFLOPS, MAX_TFLOPS, " TFLOP/s");
      // The window's floor divides the work by fp64TensorTflops: a canonical rate above the
      // peak would put the expected time under the fastest possible (soundness.md section 6).
      if (!(canonicalTflops <= fp64TensorTflops)) {
        throw new IllegalArgumentException("canonicalTflops must be > 0 and <="
            + " fp64TensorTflops (" + fp64TensorTflops + "), got " + canonicalTflops);
      }
      // The memory phase's rate and whether it was measured come together; a model without
      // them has no memory phase (docs/protocol.md section 8.6).
      if ((memoryTBps == null) != (memoryMeasured == null)) {
        throw new IllegalArgumentException("memoryTBps and memoryMeasured come together");
      }
      if (memoryTBps != null) {
        within("memoryTBps", memoryTBps, MIN_TBPS, MAX_TBPS, " TB/s");
      }
      // The loop's rate depends on n (docs/soundness.md section 7, "Calibrated timing"): each
      // rate is held to the n it was measured at, and only there.
      if (canonicalDim != null) {
        Limits.dim("canonicalDim", canonicalDim);
      }
      if (canonicalTflopsByDim != null) {
        canonicalTflopsByDim = calibrations(canonicalTflopsByDim,
            canonicalDim == null ? DEFAULT_CANONICAL_DIM : canonicalDim, fp64TensorTflops);
      }
    }

    /**
     * canonicalTflopsByDim checked and in n's order, each key written as n is (JSON keys are
     * strings; a key that is no size is named as it was given).
     */
    private static Map<String, Double> calibrations(Map<String, Double> byDim, int base,
        double peak) {
      if (byDim.size() > MAX_CALIBRATED_DIMS) {
        throw new IllegalArgumentException("canonicalTflopsByDim has " + byDim.size()
            + " entries, over the limit of " + MAX_CALIBRATED_DIMS);
      }
      TreeMap<Integer, Double> sorted = new TreeMap<>();
      for (Map.Entry<String, Double> e : byDim.entrySet()) {
        String key = e.getKey();
        int n = key.matches("[1-9][0-9]{1,4}") ? Integer.parseInt(key) : -1;
        if (n < Limits.MIN_DIM || n > Limits.MAX_DIM || n % Limits.DIM_MULTIPLE != 0) {
          throw new IllegalArgumentException("canonicalTflopsByDim key '"
              + Printable.escape(key.length() > 24 ? key.substring(0, 24) + "..." : key) + "' is not a size n (a multiple of "
              + Limits.DIM_MULTIPLE + " in [" + Limits.MIN_DIM + ", " + Limits.MAX_DIM + "])");
        }
        String field = "canonicalTflopsByDim." + n;
        if (n == base) {
          throw new IllegalArgumentException(field + " repeats canonicalDim (" + base
              + "), whose rate is canonicalTflops");
        }
        if (e.getValue() == null) {
          throw new IllegalArgumentException(field + " must be a number");
        }
        within(field, e.getValue(), MIN_TFLOPS, MAX_TFLOPS, " TFLOP/s");
        if (!(e.getValue() <= peak)) {
          throw new IllegalArgumentException(field + " must be <= fp64TensorTflops (" + peak
              + "), got " + e.getValue());
        }
        sorted.put(n, e.getValue());
      }
      Map<String, Double> out = new LinkedHashMap<>();
      sorted.forEach((n, rate) -> out.put(String.valueOf(n), rate));
      return Collections.unmodifiableMap(out);
    }

    /** A profile without the memory phase's figures. */
    public Profile(String model, int smCount, int memoryGiB, double fp64Tflops,
        double fp64TensorTflops, double canonicalTflops, boolean canonicalMeasured) {
      this(model, smCount, memoryGiB, fp64Tflops, fp64TensorTflops, canonicalTflops,
          canonicalMeasured, null, null);
    }

    /** A profile whose rate was taken at the default n only. */
    public Profile(String model, int smCount, int memoryGiB, double fp64Tflops,
        double fp64TensorTflops, double canonicalTflops, boolean canonicalMeasured,
        Double memoryTBps, Boolean memoryMeasured) {
      this(model, smCount, memoryGiB, fp64Tflops, fp64TensorTflops, canonicalTflops,
          canonicalMeasured, memoryTBps, memoryMeasured, null, null);
    }

    /**
     * The loop's rate at n, TFLOP/s: {@code canonicalTflopsByDim}'s where it has n, else
     * {@code canonicalTflops}. The issuer issues a measured profile only at {@link
     * #calibratedDims} ({@link ChallengeIssuer}); verification takes this rate at whatever n a
     * challenge has, so a verdict on an older or provisional profile is unchanged.
     */
    public double rateAt(int n) {
      Double r = canonicalTflopsByDim == null ? null
          : canonicalTflopsByDim.get(String.valueOf(n));
      return r != null ? r : canonicalTflops;
    }

    /** The n at which {@code canonicalTflops} was taken: {@code canonicalDim}, else 2048. */
    public int baseDim() {
      return canonicalDim == null ? DEFAULT_CANONICAL_DIM : canonicalDim;
    }

    /** Every n a rate was taken at, ascending: {@link #baseDim} and canonicalTflopsByDim's. */
    public SortedSet<Integer> calibratedDims() {
      SortedSet<Integer> dims = new TreeSet<>();
      dims.add(baseDim());
      if (canonicalTflopsByDim != null) {
        canonicalTflopsByDim.keySet().forEach(n -> dims.add(Integer.parseInt(n)));
      }
      return Collections.unmodifiableSortedSet(dims);
    }

    /**
     * Whether a challenge at n may be issued on this profile: every n while its rate is
     * provisional (canonicalMeasured false: an estimate from a slower kernel, which no n
     * makes an honest GPU miss; docs/soundness.md section 7), else only an n it was measured
     * at, since the loop's rate at any other n is unknown and may be lower (its grid's last
     * wave, and which kernels' tiles divide n).
     */
    public boolean issuableAt(int n) {
      return !canonicalMeasured || calibratedDims().contains(n);
    }

    /** Whether this model has the figures a memory phase needs. */
    public boolean hasMemoryFigures() {
      return memoryTBps != null;
    }
  }

  public GpuProfiles {
    Limits.version("GPU profile table", version);
    Limits.required("defaults", defaults);
    profiles = List.copyOf(Limits.required("profiles", profiles));
    Map<String, String> seen = new HashMap<>();
    for (Profile p : profiles) {
      String first = seen.putIfAbsent(ModelNames.key(p.model()), p.model());
      if (first != null) {
        throw new IllegalArgumentException("model '" + Printable.escape(p.model())
            + "' is the same model as '" + Printable.escape(first) + "' "
            + ModelNames.IGNORING);
      }
    }
  }

  /**
   * {@code v} in [min, max], else the refusal names the field, the range and the unit. NaN is
   * in no range.
   */
  static void within(String field, double v, double min, double max, String unit) {
    if (!(v >= min && v <= max)) {
      throw new IllegalArgumentException(field + " must be in [" + plain(min) + ", "
          + plain(max) + "]" + unit + ", got " + v);
    }
  }

  private static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  /** The table shipped with this validator. */
  public static GpuProfiles bundled() {
    try (InputStream in = GpuProfiles.class.getResourceAsStream("gpu-profiles.json")) {
      if (in == null) {
        throw new IllegalStateException("gpu-profiles.json is missing from the validator");
      }
      return Json.read("gpu-profiles.json", in.readAllBytes(), GpuProfiles.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (BadMessageException e) {
      throw new IllegalStateException(e.getMessage());
    }
  }

  /**
   * This table with an operator's overrides from {@code file} laid over it ({@link
   * ProfileOverrides}); errors name the file.
   *
   * @throws BadMessageException the file is unusable or has bad entries, all reported
   */
  public GpuProfiles withOverrides(Path file) throws BadMessageException {
    return ProfileOverrides.apply(this, file.toString(), file);
  }

  /**
   * The part of this table a verdict on {@code model} is held to: the defaults and that model's
   * profile, if there is one. The evidence archive keeps it, so a re-verification uses the
   * bounds the verdict was made with, whatever the table says later (docs/protocol.md 8.5).
   */
  public GpuProfiles forModel(String model) {
    return new GpuProfiles(version, "the part of the validator's table this verdict was held"
        + " to", defaults, find(model).stream().toList());
  }

  public Optional<Profile> find(String model) {
    return profiles.stream().filter(p -> p.model().equals(model)).findFirst();
  }

  public List<String> models() {
    return profiles.stream().map(Profile::model).toList();
  }
}
