package org.gpuattest.validator;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.Limits;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.spec.SampledRows;
import org.gpuattest.common.util.Heap;
import org.gpuattest.common.util.Hex;

/**
 * Issues challenges: fresh id and seed from a SecureRandom, sizes checked against the protocol
 * limits and the model against the profile table, expiry at the end of the timing window
 * unless a TTL is given. A challenge whose openings this JVM could not verify (the sampled
 * rows would not fit in its heap) is refused here, before a prover does any work for it, and
 * so is one whose timing would prove little ({@link TimingStrength}, docs/soundness.md section
 * 7) unless the request asks for weak timing.
 */
public final class ChallengeIssuer {
  /** Rows opened by default: at least 99% detection of 1% faked rows (docs/soundness.md). */
  public static final int DEFAULT_SAMPLES = 460;
  public static final int DEFAULT_DIM = 2048;
  public static final double DEFAULT_SECONDS = 10.0;
  /** The longest a challenge lives (7 days): every challenge, its default lifetime too. */
  public static final Duration MAX_TTL = Duration.ofSeconds(Limits.MAX_LIFETIME_SECONDS);
  /** How long a prover may prepare before the go of a ready/go start, by default. */
  public static final Duration DEFAULT_PREPARE = Duration.ofSeconds(60);
  /** What a default lifetime adds to the least one: delivery, and clocks that differ. */
  static final Duration LIFETIME_MARGIN = Duration.ofSeconds(30);

  private final GpuProfiles profiles;
  private final SecureRandom random;
  private final Clock clock;

  public ChallengeIssuer(GpuProfiles profiles, SecureRandom random, Clock clock) {
    this.profiles = profiles;
    this.random = random;
    this.clock = clock;
  }

  /**
   * Where the validator's clock will start for this challenge: at the go of a ready/go start
   * (the prover prepared first; docs/protocol.md), or at the challenge's issue, with the
   * prover's start-up inside the window (the separate commands).
   */
  public enum TimedFrom { GO, ISSUE }

  /**
   * What the validator asks for; iterations null means "derive from seconds". weakTiming
   * issues a challenge whose timing proves little (demos, tests, the separate commands).
   * Made with {@link #builder()}, which names each field and holds the CLI's defaults.
   */
  public record Request(int devices, String model, int dim, Integer iterations, Double seconds,
      int samples, Duration ttl, Duration prepare, Ed25519PrivateKey key, TimedFrom timedFrom,
      boolean weakTiming, boolean memory) {
    public Request {
      Limits.required("timedFrom", timedFrom);
    }

    /** A request without the memory phase. */
    public Request(int devices, String model, int dim, Integer iterations, Double seconds,
        int samples, Duration ttl, Duration prepare, Ed25519PrivateKey key, TimedFrom timedFrom,
        boolean weakTiming) {
      this(devices, model, dim, iterations, seconds, samples, ttl, prepare, key, timedFrom,
          weakTiming, false);
    }

    /**
     * A request with the defaults of 'validator attest': n = {@link #DEFAULT_DIM}, {@link
     * #DEFAULT_SAMPLES} samples, {@link #DEFAULT_SECONDS} of work unless iterations are given,
     * {@link #DEFAULT_PREPARE} to prepare, the least lifetime plus 30 s ({@link
     * Builder#ttl}), unsigned, timed from the go of a ready/go start, and weak timing refused.
     * {@code gpus} and {@code model} have no default.
     */
    public static Builder builder() {
      return new Builder();
    }
  }

  /**
   * Builds a {@link Request}; each setter is named after its 'validator challenge' option.
   * Ranges are checked when the request is issued ({@link #issue}), against the protocol and
   * the profile table, where a refusal names the field ({@link InvalidRequestException}).
   */
  public static final class Builder {
    private Integer gpus;
    private String model;
    private int dim = DEFAULT_DIM;
    private Integer iterations;
    private Double seconds;
    private int samples = DEFAULT_SAMPLES;
    private Duration ttl;
    private Duration prepare;
    private Ed25519PrivateKey signingKey;
    private TimedFrom timedFrom = TimedFrom.GO;
    private boolean weakTiming;
    private boolean memory;

    private Builder() {}

    /** How many GPUs the prover claims (G); required. */
    public Builder gpus(int gpus) {
      this.gpus = gpus;
      return this;
    }

    /** The GPU model claimed, as the driver names it; required, and in the profile table. */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /** Matrix size n, a multiple of 64 in [64, 16384]. */
    public Builder dim(int dim) {
      this.dim = dim;
      return this;
    }

    /** Matrix products per GPU (T), instead of seconds; null derives them from seconds. */
    public Builder iterations(Integer iterations) {
      this.iterations = iterations;
      return this;
    }

    /** About this many seconds of work at the model's rate; null for the default. */
    public Builder seconds(Double seconds) {
      this.seconds = seconds;
      return this;
    }

    /** Rows to open (K). */
    public Builder samples(int samples) {
      this.samples = samples;
      return this;
    }

    /**
     * The challenge's lifetime, at most {@link #MAX_TTL}, and at least the least lifetime: the
     * time an honest prover may take before its commitment is due, its preparation (a ready/go
     * start) and the timing window, so that a challenge cannot expire under a prover that
     * keeps to both. Null for the least lifetime (or the window from issue, if longer) plus 30
     * s, capped at {@link #MAX_TTL}.
     */
    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    /**
     * How long the prover may take from 'prepare' to 'ready' before the go of a ready/go start
     * (the CLI's --prepare-timeout), 1 s to {@link #MAX_TTL}; it is part of the challenge's
     * lifetime. Null for {@link #DEFAULT_PREPARE}; not used when timed from the issue.
     */
    public Builder prepare(Duration prepare) {
      this.prepare = prepare;
      return this;
    }

    /** The validator's own key to sign the challenge with; null leaves it unsigned. */
    public Builder signingKey(Ed25519PrivateKey signingKey) {
      this.signingKey = signingKey;
      return this;
    }

    /** Where the clock will start: {@link TimedFrom#GO} (ready/go) or at the issue. */
    public Builder timedFrom(TimedFrom timedFrom) {
      this.timedFrom = timedFrom;
      return this;
    }

    /** Accept a challenge whose timing proves little (docs/soundness.md section 7). */
    public Builder weakTiming(boolean weakTiming) {
      this.weakTiming = weakTiming;
      return this;
    }

    /**
     * Ask for the memory phase (docs/protocol.md section 2.2) where the model's profile has
     * its figures: the prover keeps its last products resident and streams them after the
     * commitment, and the caller runs the memory step ({@link MemoryStep}) between the
     * commitment and the opening request. Only with {@link TimedFrom#GO}: the separate
     * commands have no memory step. Off by default in the library; 'validator attest' asks
     * for it unless given --no-memory.
     */
    public Builder memory(boolean memory) {
      this.memory = memory;
      return this;
    }

    /**
     * @throws IllegalStateException gpus or model was not set, or timedFrom was set to null
     */
    public Request build() {
      if (gpus == null) {
        throw new IllegalStateException("challenge request: gpus is not set (how many GPUs"
            + " the prover claims)");
      }
      if (model == null) {
        throw new IllegalStateException("challenge request: model is not set (the GPU model"
            + " claimed, as the driver names it)");
      }
      if (timedFrom == null) {
        throw new IllegalStateException("challenge request: timedFrom is null");
      }
      return new Request(gpus, model, dim, iterations, seconds, samples, ttl, prepare,
          signingKey, timedFrom, weakTiming, memory);
    }
  }

  /** The part of a {@link Request} a refusal is about, so a CLI can name its own option. */
  public enum Field {
    DEVICES, MODEL, DIM, ITERATIONS, SECONDS, SAMPLES, TTL, PREPARE, WEAK_TIMING, MEMORY
  }

  /**
   * A request the protocol or the profile table does not allow. The text names fields as
   * {@code {DIM}} and so on, so each caller can name them its own way ({@link #detail}); the
   * message names them as the request does.
   */
  public static final class InvalidRequestException extends BadMessageException {
    private final Field field;
    private final String template;

    InvalidRequestException(Field field, String template) {
      super(fieldName(field) + ": " + fill(template, InvalidRequestException::fieldName));
      this.field = field;
      this.template = template;
    }

    public Field field() {
      return field;
    }

    /** What is wrong, without the leading field, each field named by {@code names}. */
    public String detail(Function<Field, String> names) {
      return fill(template, names);
    }

    private static String fill(String template, Function<Field, String> names) {
      String out = template;
      for (Field f : Field.values()) {
        String name = names.apply(f); // a caller that names no such field: the request's name
        out = out.replace("{" + f.name() + "}", name == null ? fieldName(f) : name);
      }
      return out;
    }

    static String fieldName(Field f) {
      return f.name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @throws InvalidRequestException a field is out of range, the model unknown, or the
   *     options contradict each other
   * @throws RuntimeFailureException this JVM's heap could not hold the verification
   */
  public Session issue(Request r) throws InvalidRequestException, RuntimeFailureException {
    within(Field.DEVICES, () -> Limits.range("", r.devices(), 1, Limits.MAX_DEVICES));
    within(Field.DIM, () -> Limits.dim("", r.dim()));
    within(Field.SAMPLES, () -> Limits.range("", r.samples(), 1, Limits.MAX_SAMPLES));
    if (r.iterations() != null) {
      within(Field.ITERATIONS, () -> Limits.range("", r.iterations(), 1, Limits.MAX_ITERATIONS));
    }
    GpuProfiles.Profile profile = profiles.find(r.model()).orElseThrow(() ->
        new InvalidRequestException(Field.MODEL, "unknown GPU model '" + r.model()
            + "'; known: " + String.join(", ", profiles.models())));
    if (!profile.issuableAt(r.dim())) {
      throw new InvalidRequestException(Field.DIM, uncalibrated(profile, r.dim()));
    }
    if (r.ttl() != null && (r.ttl().compareTo(Duration.ofSeconds(1)) < 0
        || r.ttl().compareTo(MAX_TTL) > 0)) {
      throw new InvalidRequestException(Field.TTL, "must be in [1, " + MAX_TTL.toSeconds()
          + "] seconds, got " + r.ttl().toSeconds());
    }
    if (r.prepare() != null && (r.prepare().compareTo(Duration.ofSeconds(1)) < 0
        || r.prepare().compareTo(MAX_TTL) > 0)) {
      throw new InvalidRequestException(Field.PREPARE, "must be in [1, " + MAX_TTL.toSeconds()
          + "] seconds, got " + r.prepare().toSeconds());
    }
    int iterations = iterations(r, profile);
    if ((long) iterations * r.devices() > Limits.MAX_MATRICES) {
      throw new InvalidRequestException(r.iterations() != null ? Field.ITERATIONS
          : Field.SECONDS, r.devices() + " devices x " + iterations + " iterations is over the"
          + " limit of " + Limits.MAX_MATRICES + " matrices; lower {ITERATIONS} or {DEVICES}");
    }
    if (!r.weakTiming()) {
      Optional<String> weak = TimingStrength.weakness(profile, profiles.defaults(), r.dim(),
          iterations, r.devices(), r.timedFrom());
      if (weak.isPresent()) {
        throw new InvalidRequestException(r.timedFrom() == TimedFrom.ISSUE ? Field.WEAK_TIMING
            : r.iterations() != null ? Field.ITERATIONS : Field.SECONDS, weak.get());
      }
    }
    ChallengeMemory memory = MemoryStrength.terms(r, profile, profiles.defaults(), iterations);
    Duration ttl = Lifetime.of(r, profile, profiles.defaults(), iterations, memory);
    checkVerifiable(r.samples(), (long) iterations * r.dim(), r.dim());
    Instant issued = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Challenge c = new Challenge(1, Hex.encode(bytes(16)), Hex.encode(bytes(32)), r.dim(),
        iterations, r.devices(), r.model(), issued.toString(), issued.plus(ttl).toString(),
        r.samples(), memory, null, null);
    if (r.key() != null) {
      c = c.signedBy(r.key());
    }
    return Session.issued(MessageCodec.encode(c), issued);
  }

  /**
   * Why n is refused on a measured profile that was not measured at n (docs/soundness.md
   * section 7, "Calibrated timing"). Weak timing does not lift it: the window would still hold
   * an honest GPU to a rate taken at another n, which it may not reach there.
   */
  static String uncalibrated(GpuProfiles.Profile p, int n) {
    String dims = p.calibratedDims().stream().map(String::valueOf)
        .collect(java.util.stream.Collectors.joining(", "));
    return "the rate of '" + p.model() + "' was measured at {DIM} " + dims + " only, not " + n
        + ": a GPU's rate depends on n (its grid's last wave, and which kernels' tiles divide"
        + " n), so a window at " + n + " could fail an honest prover; use {DIM} " + dims
        + ", or measure " + n + " with 'attestor bench --dim " + n + "' and add it to the"
        + " profile's canonicalTflopsByDim";
  }

  private static int iterations(Request r, GpuProfiles.Profile profile)
      throws InvalidRequestException {
    if (r.iterations() != null && r.seconds() != null) {
      throw new InvalidRequestException(Field.SECONDS, "{ITERATIONS} and {SECONDS} exclude each"
          + " other; give one");
    }
    if (r.iterations() != null) {
      return r.iterations();
    }
    double seconds = r.seconds() == null ? DEFAULT_SECONDS : r.seconds();
    if (!(seconds > 0 && seconds <= 86_400)) {
      throw new InvalidRequestException(Field.SECONDS, "must be in (0, 86400], got " + seconds);
    }
    int iterations = TimingWindow.iterationsFor(profile, r.dim(), seconds);
    if (iterations > Limits.MAX_ITERATIONS) {
      throw new InvalidRequestException(Field.SECONDS, String.format("%s s of work at {DIM} %d"
          + " needs %d iterations per device, over the limit of %d; choose a larger {DIM} or"
          + " give {ITERATIONS}", seconds, r.dim(), iterations, Limits.MAX_ITERATIONS));
    }
    return iterations;
  }

  /**
   * Refuses what verification could not hold: in the worst case every sampled row belongs to
   * one device, and {@link SampledRows} keeps two rows of n doubles per sample. One device is
   * enough, however many threads verify: devices recomputed at once share the heap's budget
   * ({@code check.HeapBudget}) and wait for it, so more threads never need more heap, and a
   * challenge is never refused because the validator has many cores.
   *
   * @param rowsPerDevice the rows one device has: T x n
   */
  static void checkVerifiable(int samples, long rowsPerDevice, int n)
      throws RuntimeFailureException {
    long rows = Math.min(samples, rowsPerDevice);
    Optional<String> refusal = Heap.shortfall("verifying " + rows + " sampled rows at n=" + n
        + " needs", SampledRows.bytesFor(rows, n), "ask for fewer samples or a smaller dim,"
        + " or give the validator a larger -Xmx");
    if (refusal.isPresent()) {
      throw new RuntimeFailureException(refusal.get());
    }
  }

  /** Runs one of {@link Limits}' checks (given an empty field name) for field {@code f}. */
  private static void within(Field f, Runnable limitCheck) throws InvalidRequestException {
    try {
      limitCheck.run();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(f, e.getMessage().strip());
    }
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
