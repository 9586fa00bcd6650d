package org.gpuattest.attestor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gpuattest.kernels.cuda.EmulatedGpus;

/**
 * The GPU profile a validator holds emulated H100s to ({@link EmulatedGpus}), laid over the
 * bundled table with {@code --profiles} (docs/protocol.md §8.6). The emulator runs about a
 * million times slower than an H100, slower than any rate a profile may state (0.001 TFLOP/s
 * at the least), so the profile has the emulated GPU's 4 SMs, FP64 peaks scaled to 4 of an
 * H100's 132 SMs, the least rate, and a {@code commitSeconds} of 600 that lets the timing
 * window hold an emulated run. That allowance is then most of the window, so challenges for it
 * must be issued with --weak-timing (docs/soundness.md §7): the timing checks run and pass,
 * and prove nothing about speed, which only a real GPU can.
 */
public final class EmulatedProfile {
  private EmulatedProfile() {}

  /** Writes the profile file into {@code dir}; its path. */
  public static Path write(Path dir) throws IOException {
    return Files.writeString(dir.resolve("emulated-profiles.json"), """
        {"version": 1, "about": "emulated H100s (kernels' EmulatedGpus): 4 SMs, 2 GiB",
         "profiles": [{"model": "%s", "smCount": %d, "memoryGiB": 2, "fp64Tflops": 1.015,
           "fp64TensorTflops": 2.03, "canonicalTflops": 0.001, "canonicalMeasured": false}],
         "defaults": {"commitSeconds": 600}}
        """.formatted(EmulatedGpus.MODEL, EmulatedGpus.SMS));
  }
}
