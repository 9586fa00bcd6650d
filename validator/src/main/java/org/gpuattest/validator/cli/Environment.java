package org.gpuattest.validator.cli;

import java.security.SecureRandom;
import java.time.Clock;
import org.gpuattest.validator.GpuProfiles;

/** The validator's clock, randomness and profile table; tests substitute a fixed clock. */
public record Environment(Clock clock, SecureRandom random, GpuProfiles profiles) {
  public static Environment system() {
    return new Environment(Clock.systemUTC(), new SecureRandom(), GpuProfiles.bundled());
  }
}
