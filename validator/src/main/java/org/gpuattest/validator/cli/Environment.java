package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ProfileOverrides;

/**
 * The validator's clock, randomness and profile table (the bundled one, or the tests', with
 * the operator's '--profiles' overrides laid over it); tests substitute a fixed clock.
 *
 * <p>The system's randomness and profile table are made on first use, not when the command
 * line is built: reading the table starts Jackson, some 550 classes and a third of the JVM's
 * start-up, which '--help', '--version', 'spec' and every refused option would pay for nothing.
 */
public final class Environment {
  private final Clock clock;
  /** Null until first asked for, in {@link #system()}'s environment only. */
  private SecureRandom random;
  private GpuProfiles profiles;
  /** The operator's overrides ('--profiles'), applied on first use; null for none. */
  private Path overrides;
  private boolean overridden;

  /** Everything given up front, as tests do. */
  public Environment(Clock clock, SecureRandom random, GpuProfiles profiles) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.profiles = Objects.requireNonNull(profiles, "profiles");
  }

  // Plain null checks rather than Suppliers of method references: a method reference
  // resolves its type at once, which would load SecureRandom and GpuProfiles at start-up.
  private Environment(Clock clock) {
    this.clock = clock;
  }

  /** This host's clock, a non-blocking CSPRNG and the bundled table, the last two on use. */
  public static Environment system() {
    return new Environment(Clock.systemUTC());
  }

  public Clock clock() {
    return clock;
  }

  /** Where challenge ids and seeds and sampling seeds come from. */
  public synchronized SecureRandom random() {
    if (random == null) {
      random = nonBlockingRandom();
    }
    return random;
  }

  /** Overrides to lay over the table when it is first used ('--profiles FILE'). */
  public synchronized void overrideProfiles(Path file) {
    overrides = file;
  }

  /**
   * The profile table, with the overrides applied.
   *
   * @throws BadMessageException the overrides file is unusable or has bad entries, each one
   *     of its problems named
   */
  public synchronized GpuProfiles profiles() throws BadMessageException {
    if (profiles == null) {
      profiles = GpuProfiles.bundled();
    }
    if (overrides != null && !overridden) {
      profiles = ProfileOverrides.apply(profiles, "--profiles " + overrides, overrides);
      overridden = true;
    }
    return profiles;
  }

  /**
   * The kernel's CSPRNG (/dev/urandom, getrandom) read directly. {@code new SecureRandom()}
   * reads it too under the JDK's default configuration, but a host whose java.security names
   * another {@code securerandom.source} gets a DRBG seeded from that source, which may block;
   * seeds and sampling seeds must never wait for entropy. Where the algorithm does not exist
   * (Windows), the platform default is non-blocking already.
   */
  static SecureRandom nonBlockingRandom() {
    try {
      return SecureRandom.getInstance("NativePRNGNonBlocking");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
